/**
 * A pool's schedule as the program enforces it (docs/program.md, "Schedule"), and the chain's
 * clock. Every deadline is judged by the Clock sysvar, never by the local machine's clock, so a
 * client with a skewed clock and the program agree (and localnet time travel moves everyone).
 */
import { type Connection, SYSVAR_CLOCK_PUBKEY } from "@solana/web3.js";

/** The schedule fields of a Pool account (numbers: unix seconds / seconds). */
export interface ScheduleTerms {
  joinDeadline: number;
  roundDuration: number;
  gracePeriod: number;
  claimWindow: number;
  numRounds: number;
}

export interface Schedule extends ScheduleTerms {
  /** Round r (1-based) accepts commitments from roundStart(r)... */
  roundStart(r: number): number;
  /** ...until roundDeadline(r), exclusive. */
  roundDeadline(r: number): number;
  /** The aggregator may post round r until postDeadline(r), inclusive; after that anyone may expire the pool. */
  postDeadline(r: number): number;
  /** The round whose commit window contains `now`: 0 before the join deadline, numRounds + 1 after the last window. */
  roundAt(now: number): number;
}

const num = (v: unknown): number => (typeof v === "number" ? v : Number((v as { toString(): string }).toString()));

/** Schedule terms from a decoded Pool account (anchor BN fields) or plain numbers. */
export function scheduleOf(pool: {
  joinDeadline: unknown;
  roundDuration: unknown;
  gracePeriod: unknown;
  claimWindow: unknown;
  numRounds: unknown;
}): Schedule {
  const t: ScheduleTerms = {
    joinDeadline: num(pool.joinDeadline),
    roundDuration: num(pool.roundDuration),
    gracePeriod: num(pool.gracePeriod),
    claimWindow: num(pool.claimWindow),
    numRounds: num(pool.numRounds),
  };
  return {
    ...t,
    roundStart: (r) => t.joinDeadline + (r - 1) * t.roundDuration,
    roundDeadline: (r) => t.joinDeadline + r * t.roundDuration,
    postDeadline: (r) => t.joinDeadline + r * t.roundDuration + t.gracePeriod,
    roundAt: (now) =>
      now < t.joinDeadline ? 0 : Math.min(t.numRounds + 1, Math.floor((now - t.joinDeadline) / t.roundDuration) + 1),
  };
}

/** The chain's time (Clock sysvar unix_timestamp, seconds) — what the program compares deadlines with. */
export async function chainTime(connection: Connection): Promise<number> {
  const info = await connection.getAccountInfo(SYSVAR_CLOCK_PUBKEY);
  if (info === null || info.data.length < 40) throw new Error("the RPC node returned no Clock sysvar");
  // Clock: slot u64, epoch_start_timestamp i64, epoch u64, leader_schedule_epoch u64, unix_timestamp i64
  return Number(info.data.readBigInt64LE(32));
}

export interface WaitOptions {
  signal?: AbortSignal;
  /** Poll interval in ms (default 500). */
  pollMs?: number;
  /** Called after each poll with the chain time and the seconds left. */
  onTick?: (now: number, left: number) => void;
}

/** Resolve with the chain time once it is ≥ `until` (polls the Clock sysvar; aborts with the signal). */
export async function waitForChainTime(connection: Connection, until: number, opts: WaitOptions = {}): Promise<number> {
  const pollMs = opts.pollMs ?? 500;
  for (;;) {
    opts.signal?.throwIfAborted();
    const now = await chainTime(connection);
    opts.onTick?.(now, Math.max(0, until - now));
    if (now >= until) return now;
    await new Promise<void>((resolve, reject) => {
      const onAbort = () => {
        clearTimeout(t);
        reject(opts.signal!.reason);
      };
      const t = setTimeout(
        () => {
          opts.signal?.removeEventListener("abort", onAbort);
          resolve();
        },
        Math.min(pollMs, Math.max(50, (until - now) * 1000)),
      );
      opts.signal?.addEventListener("abort", onAbort, { once: true }); // removed again on every tick: no listener pile-up on long waits
    });
  }
}
