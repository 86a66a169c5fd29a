"use client";
// Returning the wallet's commitment rent: close_commitment for its closable commitments (rounds
// posted, or every one once the pool is finalized), bundled into the transactions the app sends
// anyway (claim, commit, withdraw) as far as they fit.
import {
  closeCommitmentIx,
  countFitting,
  type FedstrProgram,
  listClosableCommitments,
  type PoolAccount,
} from "@fedstr/sdk/program";
import { ComputeBudgetProgram, type PublicKey, type TransactionInstruction } from "@solana/web3.js";

/** What useSendTx adds to each transaction: the compute-unit limit and price instructions (and a v0 message's 2 bytes). */
const SEND_OVERHEAD = [
  ComputeBudgetProgram.setComputeUnitLimit({ units: 1_400_000 }),
  ComputeBudgetProgram.setComputeUnitPrice({ microLamports: 1 }),
];
const V0_BYTES = 2;

/** One closable commitment: its close_commitment instruction and the rent it returns. */
export interface Close {
  round: number;
  lamports: bigint;
  ix: TransactionInstruction;
}

/** The wallet's commitments on `pool` that can be closed now, round `first` first. */
export async function closableCommitments(
  program: FedstrProgram,
  pool: { address: PublicKey; account: Pick<PoolAccount, "roundsPosted" | "status"> },
  me: PublicKey,
  first?: number,
): Promise<Close[]> {
  const listed = await listClosableCommitments(program, pool.address, me, pool.account);
  listed.sort((a, b) => Number(b.round === first) - Number(a.round === first));
  return Promise.all(
    listed.map(async (c) => ({
      round: c.round,
      lamports: BigInt(c.lamports),
      ix: await closeCommitmentIx(program, { caller: me, participant: me, pool: pool.address, round: c.round }),
    })),
  );
}

/** How many of `closes` (a prefix) fit in one transaction the app sends with `base`. */
export const fitCount = (me: PublicKey, base: TransactionInstruction[], closes: Close[]): number =>
  countFitting(
    me,
    [...SEND_OVERHEAD, ...base],
    closes.map((c) => c.ix),
    V0_BYTES,
  );

/** " + N commitment account(s) closed (X SOL rent back)" for a transaction's label; "" for none. */
export function closesLabel(closes: Close[], extraLamports = 0n): string {
  if (closes.length === 0 && extraLamports === 0n) return "";
  const lamports = closes.reduce((s, c) => s + c.lamports, extraLamports);
  const sol = (Number(lamports) / 1e9).toFixed(6);
  const what = closes.length === 1 ? "1 commitment account" : `${closes.length} commitment accounts`;
  return closes.length > 0 ? ` (closes ${what}: ${sol} SOL rent back)` : ` (${sol} SOL rent back)`;
}
