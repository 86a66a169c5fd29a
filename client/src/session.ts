/** Opening a session from a command's flags, and closing it whatever happens. */

import { configFlags, type Output, openSession, type Parsed, parseCommand, type Session } from "@fedstr/sdk/cli";
import { loadConfig } from "@fedstr/sdk/config";
import type { PublicKey } from "@solana/web3.js";
import { type LoadedPool, loadPool, mintDecimals, parseAddress } from "./pool.js";

export async function withSession<T>(
  values: Record<string, unknown>,
  fn: (session: Session) => Promise<T>,
): Promise<T> {
  const session = openSession(loadConfig(configFlags(values)));
  try {
    return await fn(session);
  } finally {
    await session.close();
  }
}

type Options = Parameters<typeof parseCommand>[1];

export interface PoolCommand<O extends Options> {
  values: Parsed<O>["values"];
  session: Session;
  poolAddress: PublicKey;
  pool: LoadedPool;
  /** Decimals of the pool's mint, for amounts people read and type. */
  decimals: number;
}

/**
 * What every `fedstr <command> <pool>` does first: parse its flags, answer --help, check the pool
 * address, open a session, load the pool and its mint's decimals — then run `fn` and close the session.
 */
export async function poolCommand<O extends Options>(
  argv: string[],
  out: Output,
  help: string,
  options: O,
  fn: (c: PoolCommand<O>) => Promise<void>,
): Promise<void> {
  const { values, positionals } = parseCommand(argv, options, { min: 1, max: 1, usage: "<pool>" });
  if ((values as { help?: boolean }).help) return out.result({ help }, help);
  const poolAddress = parseAddress(positionals[0], "pool");
  await withSession(values, async (session) => {
    const pool = await loadPool(session, poolAddress);
    const decimals = await mintDecimals(session.connection, pool.account.mint);
    await fn({ values, session, poolAddress, pool, decimals });
  });
}
