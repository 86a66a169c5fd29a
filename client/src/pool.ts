/**
 * What most commands start with: the pool account (checked to be a fedstr pool), its job request
 * from the relays (checked to describe this pool), its training plan from IPFS, the caller's
 * participant state, and the pool mint's decimals and token accounts.
 */

import { type RetryOptions, type Session, UsageError, withRetry } from "@fedstr/sdk/cli";
import { PlanError, parsePlan, type TrainingPlan } from "@fedstr/sdk/fl";
import {
  fetchJobRequest,
  fetchPoolMint,
  jobRequestMismatch,
  type PoolSummary,
  type Schedule,
  scheduleOf,
  summarizePool,
} from "@fedstr/sdk/job";
import type { Event, JobRequest } from "@fedstr/sdk/nostr";
import { decodeAccount, findParticipantAddress, type ParticipantAccount, type PoolAccount } from "@fedstr/sdk/program";
import {
  createAssociatedTokenAccountIdempotentInstruction,
  getAccount,
  getAssociatedTokenAddressSync,
  getMint,
  TokenAccountNotFoundError,
  TokenInvalidAccountOwnerError,
} from "@solana/spl-token";
import { type Connection, PublicKey, type TransactionInstruction } from "@solana/web3.js";
import { ClientError } from "./errors.js";

/** A base58 Solana address from the command line; a usage error naming `what` otherwise. */
export function parseAddress(value: string | undefined, what: string): PublicKey {
  if (value === undefined || value === "") throw new UsageError(`missing ${what}`);
  try {
    const key = new PublicKey(value);
    if (key.toBase58() !== value) throw new Error("not canonical");
    return key;
  } catch {
    throw new UsageError(`${what} is not a Solana address: ${JSON.stringify(value)}`);
  }
}

export interface LoadedPool {
  address: PublicKey;
  account: PoolAccount;
  summary: PoolSummary;
  schedule: Schedule;
}

/** The pool at `address`, or ClientError UnknownPool when there is none (or it is not a fedstr pool). */
export async function loadPool(session: Session, address: PublicKey, retry: RetryOptions = {}): Promise<LoadedPool> {
  const info = await withRetry("reading the pool account", () => session.connection.getAccountInfo(address), retry);
  if (info === null) throw new ClientError("UnknownPool", `unknown pool ${address.toBase58()}`);
  let account: PoolAccount;
  try {
    if (!info.owner.equals(session.program.programId)) throw new Error("owner");
    account = decodeAccount(session.program, "pool", info.data);
  } catch {
    throw new ClientError(
      "UnknownPool",
      `unknown pool ${address.toBase58()} (the account is not a pool of program ${session.program.programId.toBase58()})`,
    );
  }
  const mint = await withRetry("reading the pool mint", () => fetchPoolMint(session.connection, account.mint), retry);
  return { address, account, summary: summarizePool(address, account, mint), schedule: scheduleOf(account) };
}

export interface LoadedJob {
  event: Event;
  job: JobRequest;
}

/** The pool's job request (kind 5720) from the relays, checked against the on-chain terms. */
export async function loadJob(
  session: Session,
  pool: LoadedPool,
  opts: { timeoutMs?: number } = {},
): Promise<LoadedJob> {
  const relays = await session.relays();
  const found = await fetchJobRequest(relays, pool.summary.jobId, { timeoutMs: opts.timeoutMs ?? 10_000 });
  if (found === undefined) {
    throw new ClientError(
      "JobNotFound",
      `the job request ${pool.summary.jobId} of pool ${pool.summary.address} is not on the relays (${session.config.relays.join(", ")})`,
    );
  }
  const { job } = found;
  const mismatch = jobRequestMismatch(job, pool.address, pool.account, session.program.programId);
  if (mismatch !== undefined)
    throw new ClientError(
      "JobMismatch",
      `job request ${pool.summary.jobId} does not describe pool ${pool.summary.address}: ${mismatch}`,
    );
  return { event: found.event, job };
}

/** The pool's training plan (by the on-chain plan CID; the store verifies the bytes). */
export async function loadPlan(session: Session, pool: LoadedPool, retry: RetryOptions = {}): Promise<TrainingPlan> {
  const store = await session.store();
  const bytes = await withRetry(`fetching plan ${pool.summary.planCid}`, () => store.get(pool.summary.planCid), retry);
  try {
    return parsePlan(bytes);
  } catch (e) {
    if (e instanceof PlanError)
      throw new PlanError(
        e.field,
        `${e.message.replace(/^invalid training plan: [^:]*: /, "")} (plan ${pool.summary.planCid} of pool ${pool.summary.address})`,
      );
    throw e;
  }
}

export async function fetchParticipantState(
  session: Session,
  pool: PublicKey,
  wallet: PublicKey,
  retry: RetryOptions = {},
): Promise<ParticipantAccount | null> {
  const address = findParticipantAddress(pool, wallet, session.program.programId)[0];
  return await withRetry(
    "reading the participant account",
    () => session.program.account.participant.fetchNullable(address),
    retry,
  );
}

/** The caller's participant state, or ClientError NotParticipant. */
export async function requireParticipant(
  session: Session,
  pool: LoadedPool,
  retry: RetryOptions = {},
): Promise<ParticipantAccount> {
  const state = await fetchParticipantState(session, pool.address, session.wallet.publicKey, retry);
  if (state === null) {
    throw new ClientError(
      "NotParticipant",
      `wallet ${session.wallet.publicKey.toBase58()} has not joined pool ${pool.summary.address} (run fedstr join)`,
    );
  }
  return state;
}

const decimalsCache = new Map<string, number>();

/** Decimals of an SPL mint (what amount flags and amounts in human output use). */
export async function mintDecimals(connection: Connection, mint: PublicKey): Promise<number> {
  const key = mint.toBase58();
  let d = decimalsCache.get(key);
  if (d === undefined) {
    try {
      d = (await withRetry("reading the mint", () => getMint(connection, mint, "confirmed"), { attempts: 3 })).decimals;
    } catch (e) {
      if (e instanceof TokenAccountNotFoundError || e instanceof TokenInvalidAccountOwnerError)
        throw new ClientError("BadInput", `${key} is not an SPL token mint`);
      throw e;
    }
    decimalsCache.set(key, d);
  }
  return d;
}

/** The owner's associated token account of `mint` and its balance (null: the account does not exist). */
export async function tokenAccountOf(
  connection: Connection,
  owner: PublicKey,
  mint: PublicKey,
): Promise<{ address: PublicKey; amount: bigint | null }> {
  const address = getAssociatedTokenAddressSync(mint, owner, true);
  try {
    const acc = await withRetry("reading the token account", () => getAccount(connection, address, "confirmed"), {
      attempts: 3,
    });
    return { address, amount: acc.amount };
  } catch (e) {
    if (e instanceof TokenAccountNotFoundError || e instanceof TokenInvalidAccountOwnerError)
      return { address, amount: null };
    throw e;
  }
}

/** "2025-11-21 10:00:00 UTC" for a unix time. */
export function formatTime(unix: number): string {
  return `${new Date(unix * 1000)
    .toISOString()
    .replace("T", " ")
    .replace(/\.\d+Z$/, "")} UTC`;
}

/** "1h 05m", "3m 20s", "45s" (negative: "ended"). */
export function formatDuration(seconds: number): string {
  if (seconds <= 0) return "ended";
  const d = Math.floor(seconds / 86400),
    h = Math.floor((seconds % 86400) / 3600),
    m = Math.floor((seconds % 3600) / 60),
    s = seconds % 60;
  if (d > 0) return `${d}d ${String(h).padStart(2, "0")}h`;
  if (h > 0) return `${h}h ${String(m).padStart(2, "0")}m`;
  if (m > 0) return `${m}m ${String(s).padStart(2, "0")}s`;
  return `${s}s`;
}

/** Left-aligned text table. */
export function table(header: string[], rows: string[][]): string {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? "").length)));
  const line = (r: string[]) =>
    r
      .map((c, i) => c.padEnd(widths[i]!))
      .join("  ")
      .trimEnd();
  return [line(header), ...rows.map(line)].join("\n");
}

/**
 * Send a refund instruction (cancel/expire/finalize) built for the creator's associated token
 * account (created if missing: refunds must land in an account the creator owns) and report what
 * left the escrow.
 */
export async function sendRefund(
  session: Session,
  pool: LoadedPool,
  action: string,
  build: (creatorToken: PublicKey) => Promise<TransactionInstruction>,
): Promise<{ refunded: string; signature: string }> {
  const { account } = pool;
  const creatorToken = getAssociatedTokenAddressSync(account.mint, account.creator, true);
  const escrowBalance = async () =>
    BigInt((await session.connection.getTokenAccountBalance(account.escrow, "confirmed")).value.amount);
  const before = await escrowBalance();
  const signature = await session.send(action, [
    createAssociatedTokenAccountIdempotentInstruction(
      session.wallet.publicKey,
      creatorToken,
      account.creator,
      account.mint,
    ),
    await build(creatorToken),
  ]);
  return { refunded: (before - (await escrowBalance())).toString(), signature };
}
