/**
 * The round report: what the aggregator publishes on IPFS for every posted round (its CID rides in
 * the round's Nostr feedback as a `report` tag). It lists every update considered, in aggregation
 * order, with the verdict and reward of each, and the reward tree participants claim from, so
 * anyone can recompute the round (`fedstr verify`) and check it against the chain.
 */
import { PublicKey } from "@solana/web3.js";
import type { RewardTreeJson } from "../program/merkle.js";
import { parseCid } from "../storage/cid.js";

export const ROUND_REPORT_FORMAT = "fedstr/round-report";
export const ROUND_REPORT_VERSION = 1;

/**
 * Reasons an update is left out that only the marketplace knows (the FL core has the others,
 * fl.RejectReason). Reports read back take any reason code (decodeRoundReport), so those of older
 * aggregators still parse: e.g. NO_RESULT, from before an update committed without a result was
 * taken from the chain.
 */
export type MarketRejectReason =
  | "NOT_COMMITTED" // a result arrived without a matching on-chain commitment (or with another CID/hash)
  | "SAMPLES_MISMATCH" // the result's sample count differs from the one committed on chain
  | "UNAVAILABLE" // the update could not be fetched from IPFS by its CID before the deadline
  | "NOT_PARTICIPANT" // the bound wallet has not joined the pool (or withdrew)
  | "NOT_SEALED" // sealed job: the committed bytes are not a sealed update (no envelope)
  | "SEALED_TO_WRONG_KEY" // sealed job: sealed to another key than the round's key in the job request
  // sealed job: does not open with the round's key (tampered before commit, or bound to another
  // pool, round or wallet)
  | "UNDECRYPTABLE";

/** The report reason of a sealed update that does not open (privacy's SealError code). */
export const SEAL_REJECT_REASONS = {
  NOT_SEALED: "NOT_SEALED",
  WRONG_KEY: "SEALED_TO_WRONG_KEY",
  UNDECRYPTABLE: "UNDECRYPTABLE",
  BAD_KEY: "UNDECRYPTABLE",
} as const;

export interface ContentRef {
  cid: string;
  sha256: string;
}

export interface ReportUpdate {
  /** Participant wallet (base58). */
  participant: string;
  /** Its Nostr pubkey (hex), when a result arrived. */
  nostrPubkey?: string;
  /** The committed update. */
  cid: string;
  sha256: string;
  samples: number;
  accepted: boolean;
  /** fl.RejectReason or MarketRejectReason when not accepted. */
  reason?: string;
  detail?: string;
  /** Base units (decimal string); "0" when not accepted. */
  reward: string;
  /** The participant's own training metrics from its result, as reported. */
  metrics?: Record<string, number>;
}

export interface ReportSlash {
  participant: string;
  amount: string;
  reason: string;
  signature?: string;
}

export interface RoundReport {
  format: typeof ROUND_REPORT_FORMAT;
  version: typeof ROUND_REPORT_VERSION;
  programId: string;
  pool: string;
  round: number;
  /** plan.aggregation.strategy */
  strategy: string;
  /** The global model this round's updates were trained from. */
  previousModel: ContentRef;
  /** Server-optimizer state before / after the round (FedAdam, FedYogi, DiLoCo); absent when stateless. */
  previousState?: ContentRef;
  model: ContentRef;
  state?: ContentRef;
  /** Every update considered, in aggregation order (accepted ones in this order are what recompute needs). */
  updates: ReportUpdate[];
  /** Holdout metrics of the new model (the on-chain metric is plan.evaluation.metric × 1e6). */
  metrics: Record<string, number>;
  /** The round's reward (base units). */
  reward: string;
  rewards: RewardTreeJson;
  slashes: ReportSlash[];
}

export class ReportError extends Error {
  override name = "ReportError";
}

/**
 * Split `total` among `weights` in proportion, rounding down, then giving the remaining units one
 * each to the largest remainders (ties: lower index). Sums to `total` exactly when any weight > 0.
 */
export function splitReward(total: bigint, weights: readonly bigint[]): bigint[] {
  const sum = weights.reduce((s, w) => s + w, 0n);
  if (sum === 0n) return weights.map(() => 0n);
  const shares = weights.map((w) => (total * w) / sum);
  let left = total - shares.reduce((s, x) => s + x, 0n);
  const order = weights
    .map((w, i) => ({ i, rem: (total * w) % sum }))
    .sort((a, b) => (a.rem === b.rem ? a.i - b.i : a.rem > b.rem ? -1 : 1));
  for (const { i } of order) {
    if (left === 0n) break;
    if (weights[i]! === 0n) continue;
    shares[i]! += 1n;
    left -= 1n;
  }
  return shares;
}

/** The reward for round r of n when `total` is spread evenly (the last round takes the remainder). */
export function roundReward(total: bigint, numRounds: number, round: number): bigint {
  const each = total / BigInt(numRounds);
  return round === numRounds ? total - each * BigInt(numRounds - 1) : each;
}

const HEX64 = /^[0-9a-f]{64}$/;
const U64 = /^(0|[1-9][0-9]{0,19})$/;

function fail(path: string, what: string): never {
  throw new ReportError(`round report: ${path} ${what}`);
}
function obj(v: unknown, path: string): Record<string, unknown> {
  if (v === null || typeof v !== "object" || Array.isArray(v)) fail(path, "must be an object");
  return v as Record<string, unknown>;
}
function str(v: unknown, path: string, re?: RegExp): string {
  if (typeof v !== "string" || (re !== undefined && !re.test(v)))
    fail(path, re ? `must match ${re}` : "must be a string");
  return v;
}
function address(v: unknown, path: string): string {
  const s = str(v, path);
  try {
    new PublicKey(s);
  } catch {
    fail(path, "must be a Solana address");
  }
  return s;
}
function cid(v: unknown, path: string): string {
  const s = str(v, path);
  try {
    parseCid(s);
  } catch (e) {
    fail(path, `is not a fedstr CID (${(e as Error).message})`);
  }
  return s;
}
function ref(v: unknown, path: string): ContentRef {
  const o = obj(v, path);
  return { cid: cid(o.cid, `${path}.cid`), sha256: str(o.sha256, `${path}.sha256`, HEX64) };
}
function metrics(v: unknown, path: string): Record<string, number> {
  const o = obj(v, path);
  if (Object.keys(o).length > 32) fail(path, "has more than 32 entries");
  for (const [k, x] of Object.entries(o))
    if (typeof x !== "number" || !Number.isFinite(x)) fail(`${path}.${k}`, "must be a finite number");
  return o as Record<string, number>;
}
function int(v: unknown, path: string, min: number): number {
  if (typeof v !== "number" || !Number.isSafeInteger(v) || v < min) fail(path, `must be an integer ≥ ${min}`);
  return v;
}

/** Validate untrusted JSON (bytes fetched by CID) as a RoundReport; errors name the bad field. */
export function parseRoundReport(input: unknown): RoundReport {
  const o = obj(input, "(root)");
  if (o.format !== ROUND_REPORT_FORMAT) fail("format", `must be ${JSON.stringify(ROUND_REPORT_FORMAT)}`);
  if (o.version !== ROUND_REPORT_VERSION) fail("version", `must be ${ROUND_REPORT_VERSION}`);
  if (!Array.isArray(o.updates)) fail("updates", "must be an array");
  if (!Array.isArray(o.slashes)) fail("slashes", "must be an array");
  const updates = o.updates.map((u, i): ReportUpdate => {
    const p = `updates[${i}]`,
      x = obj(u, p);
    if (typeof x.accepted !== "boolean") fail(`${p}.accepted`, "must be a boolean");
    return {
      participant: address(x.participant, `${p}.participant`),
      ...(x.nostrPubkey !== undefined ? { nostrPubkey: str(x.nostrPubkey, `${p}.nostrPubkey`, HEX64) } : {}),
      cid: cid(x.cid, `${p}.cid`),
      sha256: str(x.sha256, `${p}.sha256`, HEX64),
      samples: int(x.samples, `${p}.samples`, 0),
      accepted: x.accepted,
      ...(x.reason !== undefined ? { reason: str(x.reason, `${p}.reason`, /^[A-Z_]{1,32}$/) } : {}),
      ...(x.detail !== undefined ? { detail: str(x.detail, `${p}.detail`) } : {}),
      reward: str(x.reward, `${p}.reward`, U64),
      ...(x.metrics !== undefined ? { metrics: metrics(x.metrics, `${p}.metrics`) } : {}),
    };
  });
  const rw = obj(o.rewards, "rewards");
  if (!Array.isArray(rw.leaves)) fail("rewards.leaves", "must be an array");
  const rewards: RewardTreeJson = {
    pool: address(rw.pool, "rewards.pool"),
    round: int(rw.round, "rewards.round", 1),
    root: str(rw.root, "rewards.root", HEX64),
    totalReward: str(rw.totalReward, "rewards.totalReward", U64),
    leaves: rw.leaves.map((l, i) => {
      const p = `rewards.leaves[${i}]`,
        x = obj(l, p);
      if (!Array.isArray(x.proof) || x.proof.length > 32) fail(`${p}.proof`, "must be an array of at most 32 hashes");
      return {
        participant: address(x.participant, `${p}.participant`),
        updateHash: str(x.updateHash, `${p}.updateHash`, HEX64),
        weight: str(x.weight, `${p}.weight`, U64),
        reward: str(x.reward, `${p}.reward`, U64),
        proof: x.proof.map((h, j) => str(h, `${p}.proof[${j}]`, HEX64)),
      };
    }),
  };
  const report: RoundReport = {
    format: ROUND_REPORT_FORMAT,
    version: ROUND_REPORT_VERSION,
    programId: address(o.programId, "programId"),
    pool: address(o.pool, "pool"),
    round: int(o.round, "round", 1),
    strategy: str(o.strategy, "strategy"),
    previousModel: ref(o.previousModel, "previousModel"),
    ...(o.previousState !== undefined ? { previousState: ref(o.previousState, "previousState") } : {}),
    model: ref(o.model, "model"),
    ...(o.state !== undefined ? { state: ref(o.state, "state") } : {}),
    updates,
    metrics: metrics(o.metrics, "metrics"),
    reward: str(o.reward, "reward", U64),
    rewards,
    slashes: o.slashes.map((s, i) => {
      const p = `slashes[${i}]`,
        x = obj(s, p);
      return {
        participant: address(x.participant, `${p}.participant`),
        amount: str(x.amount, `${p}.amount`, U64),
        reason: str(x.reason, `${p}.reason`),
        ...(x.signature !== undefined ? { signature: str(x.signature, `${p}.signature`) } : {}),
      };
    }),
  };
  if (rewards.pool !== report.pool || rewards.round !== report.round) fail("rewards", "is for another pool or round");
  return report;
}

/** Canonical bytes of a report (what the aggregator uploads; stable key order = stable CID). */
export function encodeRoundReport(report: RoundReport): Uint8Array {
  return new TextEncoder().encode(JSON.stringify(parseRoundReport(report)));
}

/** Parse report bytes fetched from IPFS. */
export function decodeRoundReport(bytes: Uint8Array): RoundReport {
  let json: unknown;
  try {
    json = JSON.parse(new TextDecoder("utf-8", { fatal: true }).decode(bytes));
  } catch (e) {
    throw new ReportError(`round report is not UTF-8 JSON: ${(e as Error).message}`);
  }
  return parseRoundReport(json);
}
