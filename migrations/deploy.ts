// Post-deploy hook for `anchor deploy` / `anchor migrate`.
// The program has no global state to initialise: pools are created by
// organizations with `create_pool`. This checks that the deployed program is
// the fedstr program the IDL describes and prints its id.
import type { AnchorProvider } from "@coral-xyz/anchor";
import { FEDSTR_PROGRAM_ID } from "@fedstr/sdk/program";

export default async function deploy(provider: AnchorProvider): Promise<void> {
  const info = await provider.connection.getAccountInfo(FEDSTR_PROGRAM_ID);
  if (!info?.executable)
    throw new Error(
      `fedstr program ${FEDSTR_PROGRAM_ID.toBase58()} is not deployed on ${provider.connection.rpcEndpoint}`,
    );
  console.log(`fedstr program ${FEDSTR_PROGRAM_ID.toBase58()} is deployed on ${provider.connection.rpcEndpoint}`);
}
