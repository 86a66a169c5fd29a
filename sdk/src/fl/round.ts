/**
 * One aggregation round as the aggregator runs it, and its deterministic recomputation.
 *
 * runRound: validate each candidate update (in arrival order) against the global weights and the
 * plan's bounds, stream the accepted ones into the plan's strategy, and return the new global
 * weights, the new server state, their hashes and a verdict per candidate.
 *
 * recompute: from the accepted updates (in the same order), the plan's aggregation config, the
 * previous global weights and server state, anyone recomputes the new global weights' hash and
 * compares it with the one committed on chain.
 */
import { decode, encode, hashBytes } from "./codec.js";
import type { AggregationConfig, TrainingPlan } from "./plan.js";
import { createStrategy, loadKernel } from "./strategies/index.js";
import type { ServerState } from "./strategies/strategy.js";
import type { ClientUpdate, Weights } from "./types.js";
import { type RejectReason, validateUpdate } from "./validate.js";

/** A candidate update: decoded weights, or canonical bytes (optionally with the committed sha256). */
export type Candidate =
  | (ClientUpdate & { bytes?: undefined })
  | { id?: string; bytes: Uint8Array; sha256?: Uint8Array; numSamples: number };

export interface UpdateVerdict {
  index: number;
  id?: string;
  accepted: boolean;
  reason?: RejectReason;
  detail?: string;
  deltaNorm?: number;
}

export interface RoundResult {
  weights: Weights;
  state: ServerState;
  /** sha256 of encode(weights) — the value committed on chain. */
  hash: Uint8Array;
  /** sha256 of encode(state) (server optimizer state), or undefined when stateless. */
  stateHash?: Uint8Array;
  verdicts: UpdateVerdict[];
  /** The accepted updates in aggregation order (what recompute needs), without their weights. */
  acceptedIndices: number[];
}

/** runRound's error when fewer than `minUpdates` candidates pass validation; carries every verdict so the round can still be reported. */
export class TooFewUpdatesError extends Error {
  override name = "TooFewUpdatesError";
  constructor(
    message: string,
    readonly verdicts: UpdateVerdict[],
  ) {
    super(message);
  }
}

export interface RoundOptions {
  plan: Pick<TrainingPlan, "aggregation" | "validation">;
  global: Weights;
  state?: ServerState;
  candidates: Iterable<Candidate> | AsyncIterable<Candidate>;
  /** sha256 of each candidate's bytes (default `hashBytes`, pure JS; Node's native one is ~15× faster). */
  sha256?: (bytes: Uint8Array) => Uint8Array;
}

function eq(a: Uint8Array, b: Uint8Array): boolean {
  return a.length === b.length && a.every((x, i) => x === b[i]);
}

export async function runRound(opts: RoundOptions): Promise<RoundResult> {
  await loadKernel(); // FedAvg's SIMD kernel (compiled once per process; same bits as the JS loop)
  const strategy = createStrategy(opts.plan.aggregation);
  const agg = strategy.begin(opts.global, opts.state);
  const verdicts: UpdateVerdict[] = [];
  const acceptedIndices: number[] = [];
  let index = 0;
  const seenIds = new Set<string>(),
    seenHashes = new Set<string>();
  for await (const c of opts.candidates) {
    const i = index++;
    let update: ClientUpdate;
    if (c.id !== undefined) {
      if (seenIds.has(c.id)) {
        verdicts.push({
          index: i,
          id: c.id,
          accepted: false,
          reason: "DUPLICATE",
          detail: `a second update from ${c.id}`,
        });
        continue;
      }
      seenIds.add(c.id);
    }
    if (c.bytes) {
      const h = (opts.sha256 ?? hashBytes)(c.bytes);
      if (c.sha256 && !eq(h, c.sha256)) {
        verdicts.push({
          index: i,
          id: c.id,
          accepted: false,
          reason: "HASH_MISMATCH",
          detail: "bytes do not match the committed sha256",
        });
        continue;
      }
      const hex = Buffer.from(h).toString("hex");
      if (seenHashes.has(hex)) {
        verdicts.push({
          index: i,
          id: c.id,
          accepted: false,
          reason: "DUPLICATE",
          detail: "byte-identical to an earlier update (copied)",
        });
        continue;
      }
      seenHashes.add(hex);
      try {
        update = { id: c.id, weights: decode(c.bytes), numSamples: c.numSamples };
      } catch (e) {
        verdicts.push({ index: i, id: c.id, accepted: false, reason: "DECODE_ERROR", detail: (e as Error).message });
        continue;
      }
    } else update = c;
    const v = validateUpdate(opts.global, update, opts.plan.validation);
    if (!v.ok) {
      verdicts.push({ index: i, id: c.id, accepted: false, reason: v.reason, detail: v.detail });
      continue;
    }
    const maxU = opts.plan.aggregation.maxUpdates;
    if (maxU !== undefined && acceptedIndices.length >= maxU) {
      verdicts.push({
        index: i,
        id: c.id,
        accepted: false,
        reason: "NOT_SELECTED",
        detail: `round already has maxUpdates = ${maxU}`,
      });
      continue;
    }
    agg.add(update);
    acceptedIndices.push(i);
    verdicts.push({ index: i, id: c.id, accepted: true, deltaNorm: v.deltaNorm });
  }
  const minU = opts.plan.aggregation.minUpdates ?? 1;
  if (acceptedIndices.length < minU)
    throw new TooFewUpdatesError(
      `round has ${acceptedIndices.length} accepted updates, fewer than minUpdates = ${minU}`,
      verdicts,
    );
  const res = agg.finish();
  for (const ex of res.excluded) {
    const v = verdicts[acceptedIndices[ex.index]!]!;
    v.accepted = false;
    v.reason = ex.reason;
    v.detail = "left out by the robust strategy";
  }
  return {
    weights: res.weights,
    state: res.state,
    hash: hashBytes(encode(res.weights)),
    stateHash: res.state.length ? hashBytes(encode(res.state)) : undefined,
    verdicts,
    acceptedIndices,
  };
}

export interface RoundInputs {
  aggregation: AggregationConfig;
  global: Weights;
  state?: ServerState;
  /** The accepted updates, in aggregation order (weights or canonical bytes). */
  updates: ({ weights: Weights; numSamples: number } | { bytes: Uint8Array; numSamples: number })[];
}

/**
 * Deterministic aggregation of already-accepted updates: the new weights, state and hash.
 * Synchronous: FedAvg runs on the SIMD kernel once `loadKernel()` (or `runRound`) has compiled it,
 * on the JS loop before; both give the same bits.
 */
export function aggregate(inputs: RoundInputs): { weights: Weights; state: ServerState; hash: Uint8Array } {
  const agg = createStrategy(inputs.aggregation).begin(inputs.global, inputs.state);
  for (const u of inputs.updates) agg.add("bytes" in u ? { weights: decode(u.bytes), numSamples: u.numSamples } : u);
  const r = agg.finish();
  return { weights: r.weights, state: r.state, hash: hashBytes(encode(r.weights)) };
}

/** recompute(round inputs) -> sha256 of the new global weights (bit-identical on every machine). */
export function recompute(inputs: RoundInputs): Uint8Array {
  return aggregate(inputs).hash;
}

/**
 * The plan's evaluation gate: with `holdout.use = "gate"`, a round whose holdout metric regresses
 * by more than `maxRegression` (default 0) against the previous round is refused. Accuracy: higher
 * is better; loss: lower is better. Always ok with `use = "report"` or on the first round.
 */
export function evaluationGate(
  plan: Pick<TrainingPlan, "evaluation">,
  previous: number | undefined,
  current: number,
): { ok: boolean; regression: number; detail: string } {
  const ev = plan.evaluation;
  if (previous === undefined) return { ok: true, regression: 0, detail: "first round" };
  const regression = ev.metric === "accuracy" ? previous - current : current - previous;
  const max = ev.holdout.maxRegression ?? 0;
  const ok = ev.holdout.use === "report" || !(regression > max);
  return {
    ok,
    regression,
    detail: `${ev.metric} ${previous} -> ${current} (regression ${regression}, allowed ${ev.holdout.use === "gate" ? max : "any"})`,
  };
}
