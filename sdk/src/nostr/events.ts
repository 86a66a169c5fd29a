/**
 * Build and parse fedstr's NIP-90 events: the federated-training job request
 * (kind 5720), participant results (kind 6720, NIP-44 encrypted to the
 * aggregator when the job asks for privacy) and job feedback (kind 7000).
 * Parsers throw ProtocolError with a reason that the reader counts.
 * Shapes and examples: docs/protocol.md.
 */

import { base58 } from "@scure/base";
import { CID } from "multiformats/cid";
import * as nip44 from "nostr-tools/nip44";
import { type Event, type EventTemplate, finalizeEvent, getPublicKey, type VerifiedEvent } from "nostr-tools/pure";
import { bindingFromTags, bindingToTag, type IdentityBinding } from "./binding.js";
import {
  FEDSTR_TOPIC,
  FEEDBACK_STATUSES,
  type FeedbackStatus,
  KIND_FL_JOB_REQUEST,
  KIND_FL_JOB_RESULT,
  KIND_JOB_FEEDBACK,
  MAX_FEEDBACK_RECIPIENTS,
  SOLANA_CLUSTERS,
  type SolanaCluster,
} from "./kinds.js";

export type { Event, VerifiedEvent };

/** Reasons a reader counts; see ValidationCounters. */
export type ProtocolErrorReason = "malformed" | "wrongKind" | "badBinding" | "unboundIdentity" | "undecryptable";

export class ProtocolError extends Error {
  readonly reason: ProtocolErrorReason;
  constructor(reason: ProtocolErrorReason, message: string) {
    super(message);
    this.reason = reason;
    this.name = "ProtocolError";
  }
}

const malformed = (msg: string): ProtocolError => new ProtocolError("malformed", msg);

// ---------- field checks ----------

const HEX64 = /^[0-9a-f]{64}$/;
const AMOUNT = /^(0|[1-9][0-9]{0,19})$/;

export function isHexPubkey(s: unknown): s is string {
  return typeof s === "string" && HEX64.test(s);
}

/** A Solana address: base58 of 32 bytes. */
export function isSolanaAddress(s: unknown): s is string {
  if (typeof s !== "string" || s.length < 32 || s.length > 44) return false;
  try {
    return base58.decode(s).length === 32;
  } catch {
    return false;
  }
}

/** A fedstr CID string: CIDv1, sha2-256, raw or dag-pb. */
export function isFedstrCidString(s: unknown): s is string {
  if (typeof s !== "string" || s.length > 100) return false;
  try {
    const c = CID.parse(s);
    return (
      c.version === 1 &&
      (c.code === 0x55 || c.code === 0x70) &&
      c.multihash.code === 0x12 &&
      c.multihash.digest.length === 32 &&
      c.toString() === s
    );
  } catch {
    return false;
  }
}

function isRelayUrl(s: unknown): s is string {
  if (typeof s !== "string" || s.length > 256) return false;
  try {
    const u = new URL(s);
    return u.protocol === "ws:" || u.protocol === "wss:";
  } catch {
    return false;
  }
}

function isMetrics(m: unknown): m is Record<string, number> {
  if (m == null || typeof m !== "object" || Array.isArray(m)) return false;
  const entries = Object.entries(m as Record<string, unknown>);
  return (
    entries.length <= 32 &&
    entries.every(([k, v]) => k.length > 0 && k.length <= 64 && typeof v === "number" && Number.isFinite(v))
  );
}

const tagValues = (tags: string[][], name: string): string[][] => tags.filter((t) => t[0] === name);
const firstTag = (tags: string[][], name: string): string[] | undefined => tags.find((t) => t[0] === name);
function param(tags: string[][], name: string): string | undefined {
  return tags.find((t) => t[0] === "param" && t[1] === name)?.[2];
}
function requireParam(tags: string[][], name: string): string {
  const v = param(tags, name);
  if (v == null || v === "") throw malformed(`missing param ${name}`);
  return v;
}
function intParam(tags: string[][], name: string, min: number, max: number): number {
  const v = requireParam(tags, name);
  const n = Number(v);
  if (!/^[0-9]+$/.test(v) || !Number.isSafeInteger(n) || n < min || n > max)
    throw malformed(`param ${name} must be an integer in [${min}, ${max}]`);
  return n;
}

function now(): number {
  return Math.floor(Date.now() / 1000);
}

// ---------- job request (kind 5720) ----------

export interface TokenAmount {
  /** Base units as a decimal string (u64 does not fit a JS number). */
  amount: string;
  /** SPL mint, base58; omitted for native SOL. */
  mint?: string;
}

export interface JobRequest {
  programId: string;
  cluster: SolanaCluster;
  /** The pool account address (base58). */
  pool: string;
  planCid: string;
  initialModelCid: string;
  rounds: number;
  reward: TokenAmount;
  stake: TokenAmount;
  /** Unix seconds. */
  deadlines: { join: number; end: number; roundSeconds: number };
  relays: string[];
  /** The aggregator's Nostr pubkey (hex); results are addressed (and encrypted) to it. */
  aggregator: string;
  /**
   * Who can read the participants' updates (docs/protocol.md, "Privacy modes"): `public` — anyone
   * (plain bytes on IPFS); `sealed` — the aggregator (HPKE-sealed to the round's key in `seal`), and
   * whoever it discloses a round's key to. Results are NIP-44-encrypted to the aggregator when sealed.
   */
  privacy: PrivacyMode;
  /** sealed: the aggregator's per-round X25519 public keys (hex), keys[r - 1] for round r, and the set id they derive from. */
  seal?: { id: string; keys: string[] };
  description?: string;
}

export const PRIVACY_MODES = ["public", "sealed"] as const;
export type PrivacyMode = (typeof PRIVACY_MODES)[number];

export interface BuildOptions {
  createdAt?: number;
}

export function jobRequestTemplate(job: JobRequest, options: BuildOptions = {}): EventTemplate {
  const tags: string[][] = [
    ["i", `ipfs://${job.planCid}`, "url", "", "plan"],
    ["i", `ipfs://${job.initialModelCid}`, "url", "", "model"],
    ["output", "application/json"],
    ["param", "program", job.programId],
    ["param", "cluster", job.cluster],
    ["param", "pool", job.pool],
    ["param", "rounds", String(job.rounds)],
    ["param", "reward", job.reward.amount, ...(job.reward.mint != null ? [job.reward.mint] : [])],
    ["param", "stake", job.stake.amount, ...(job.stake.mint != null ? [job.stake.mint] : [])],
    ["param", "join-deadline", String(job.deadlines.join)],
    ["param", "end-deadline", String(job.deadlines.end)],
    ["param", "round-seconds", String(job.deadlines.roundSeconds)],
    ["param", "privacy", job.privacy],
    ...(job.seal != null ? [["seal", job.seal.id, ...job.seal.keys]] : []),
    ["relays", ...job.relays],
    ["p", job.aggregator],
    ["t", FEDSTR_TOPIC],
  ];
  const t: EventTemplate = {
    kind: KIND_FL_JOB_REQUEST,
    created_at: options.createdAt ?? now(),
    tags,
    content: job.description ?? "",
  };
  parseJobRequestFields(t); // refuse to sign something our own parser rejects
  return t;
}

export function buildJobRequest(job: JobRequest, secretKey: Uint8Array, options: BuildOptions = {}): VerifiedEvent {
  return finalizeEvent(jobRequestTemplate(job, options), secretKey);
}

function ipfsInput(tags: string[][], marker: string): string {
  const t = tagValues(tags, "i").find((x) => x[4] === marker);
  if (t == null) throw malformed(`missing input ${marker}`);
  if (t[2] !== "url" || t[1] == null || !t[1].startsWith("ipfs://"))
    throw malformed(`input ${marker} must be an ipfs:// url`);
  const cid = t[1].slice("ipfs://".length);
  if (!isFedstrCidString(cid)) throw malformed(`input ${marker} is not a CIDv1 sha2-256 raw/dag-pb CID`);
  return cid;
}

function amountParam(tags: string[][], name: string): TokenAmount {
  const t = tags.find((x) => x[0] === "param" && x[1] === name);
  const amount = t?.[2];
  if (amount == null || !AMOUNT.test(amount) || BigInt(amount) > 18446744073709551615n)
    throw malformed(`param ${name} must be a u64 decimal string`);
  const mint = t?.[3];
  if (mint != null && !isSolanaAddress(mint)) throw malformed(`param ${name} mint is not a Solana address`);
  return mint != null ? { amount, mint } : { amount };
}

function parseJobRequestFields(e: Pick<Event, "kind" | "tags" | "content">): JobRequest {
  if (e.kind !== KIND_FL_JOB_REQUEST)
    throw new ProtocolError("wrongKind", `kind ${e.kind} is not a fedstr job request`);
  const tags = e.tags;
  const programId = requireParam(tags, "program");
  if (!isSolanaAddress(programId)) throw malformed("param program is not a Solana address");
  const cluster = requireParam(tags, "cluster");
  if (!(SOLANA_CLUSTERS as readonly string[]).includes(cluster))
    throw malformed(`param cluster must be one of ${SOLANA_CLUSTERS.join(", ")}`);
  const pool = requireParam(tags, "pool");
  if (!isSolanaAddress(pool)) throw malformed("param pool is not a Solana address");
  const privacy = requireParam(tags, "privacy");
  if (privacy !== "public" && privacy !== "sealed")
    throw malformed(`param privacy must be ${PRIVACY_MODES.join(" or ")}, got ${JSON.stringify(privacy).slice(0, 40)}`);
  const relays = (firstTag(tags, "relays") ?? []).slice(1);
  if (relays.length === 0 || relays.length > 16 || !relays.every(isRelayUrl))
    throw malformed("relays tag must list 1-16 ws(s):// urls");
  const aggregators = tagValues(tags, "p");
  if (aggregators.length !== 1 || !isHexPubkey(aggregators[0]?.[1]))
    throw malformed("exactly one p tag (the aggregator) is required");
  if (e.content.length > 4096) throw malformed("description over 4096 characters");
  const join = intParam(tags, "join-deadline", 0, 2 ** 40);
  const end = intParam(tags, "end-deadline", 0, 2 ** 40);
  if (end < join) throw malformed("end-deadline is before join-deadline");
  const job: JobRequest = {
    programId,
    cluster: cluster as SolanaCluster,
    pool,
    planCid: ipfsInput(tags, "plan"),
    initialModelCid: ipfsInput(tags, "model"),
    rounds: intParam(tags, "rounds", 1, 10_000),
    reward: amountParam(tags, "reward"),
    stake: amountParam(tags, "stake"),
    deadlines: { join, end, roundSeconds: intParam(tags, "round-seconds", 1, 30 * 86400) },
    relays,
    aggregator: aggregators[0]?.[1] as string,
    privacy,
  };
  const seal = firstTag(tags, "seal");
  if (privacy === "sealed") {
    if (seal == null) throw malformed("a sealed job needs a seal tag [seal, <set id>, <round 1 key>, ...]");
    const [, id, ...keys] = seal;
    if (id == null || !/^[0-9a-f]{32}$/.test(id)) throw malformed("seal tag set id must be 32 lower-case hex digits");
    if (keys.length !== job.rounds)
      throw malformed(`seal tag must list ${job.rounds} keys (one per round), it lists ${keys.length}`);
    const bad = keys.findIndex((k) => !HEX64.test(k));
    if (bad >= 0) throw malformed(`seal key of round ${bad + 1} is not 64 lower-case hex digits`);
    job.seal = { id, keys };
  } else if (seal != null) throw malformed("a public job has no seal tag");
  if (e.content !== "") job.description = e.content;
  return job;
}

/** Parse a (signature-checked) job request event. */
export function parseJobRequest(event: Event): JobRequest {
  return parseJobRequestFields(event);
}

// ---------- result (kind 6720) ----------

/** What a participant reports for one round. */
export interface ResultPayload {
  /** CID of the model update on IPFS. */
  update: string;
  /** sha256 hex of the update bytes (what the on-chain commitment holds). */
  sha256: string;
  samples: number;
  round: number;
  metrics: Record<string, number>;
}

export interface BuildResultParams {
  /** The job request event (its id is referenced; it is embedded as NIP-90's `request` tag). */
  job: Event;
  /** The aggregator's pubkey from the job request. */
  aggregator: string;
  payload: ResultPayload;
  binding: IdentityBinding;
  /** Encrypt the content to the aggregator with NIP-44 v2 (when the job's privacy is sealed). */
  encrypt: boolean;
  relayHint?: string;
}

export function checkResultPayload(p: unknown): ResultPayload {
  if (p == null || typeof p !== "object" || Array.isArray(p)) throw malformed("result content must be a JSON object");
  const r = p as Record<string, unknown>;
  if (!isFedstrCidString(r.update)) throw malformed("result update is not a fedstr CID");
  if (typeof r.sha256 !== "string" || !HEX64.test(r.sha256))
    throw malformed("result sha256 must be 64 lower-case hex digits");
  if (!Number.isSafeInteger(r.samples) || (r.samples as number) < 1)
    throw malformed("result samples must be a positive integer");
  if (!Number.isSafeInteger(r.round) || (r.round as number) < 0)
    throw malformed("result round must be a non-negative integer");
  if (!isMetrics(r.metrics)) throw malformed("result metrics must map up to 32 names to finite numbers");
  const extra = Object.keys(r).filter((k) => !["update", "sha256", "samples", "round", "metrics"].includes(k));
  if (extra.length > 0) throw malformed(`unknown result fields: ${extra.join(", ")}`);
  return {
    update: r.update,
    sha256: r.sha256,
    samples: r.samples as number,
    round: r.round as number,
    metrics: { ...r.metrics },
  };
}

export function resultTemplate(
  params: BuildResultParams,
  secretKey: Uint8Array,
  options: BuildOptions = {},
): EventTemplate {
  const payload = checkResultPayload(params.payload);
  if (params.binding.nostrPubkey !== getPublicKey(secretKey)) throw new Error("binding is for another Nostr key");
  const json = JSON.stringify(payload);
  const content = params.encrypt ? nip44.encrypt(json, nip44.getConversationKey(secretKey, params.aggregator)) : json;
  const tags: string[][] = [
    ["e", params.job.id, params.relayHint ?? ""],
    ["p", params.aggregator],
    ["round", String(payload.round)],
    bindingToTag(params.binding),
    ["request", JSON.stringify(params.job)],
  ];
  if (params.encrypt) tags.push(["encrypted"]);
  return { kind: KIND_FL_JOB_RESULT, created_at: options.createdAt ?? now(), tags, content };
}

export function buildResult(
  params: BuildResultParams,
  secretKey: Uint8Array,
  options: BuildOptions = {},
): VerifiedEvent {
  return finalizeEvent(resultTemplate(params, secretKey, options), secretKey);
}

export interface JobResult {
  jobId: string;
  aggregator: string;
  round: number;
  encrypted: boolean;
  /** Undefined when encrypted and no key was given to decrypt. */
  payload: ResultPayload | undefined;
  /** Binding as carried by the event (verify with verifyBinding). */
  binding: IdentityBinding | undefined;
}

/**
 * Parse a result. With `decryptWith` (the aggregator's secret key) an
 * encrypted content is decrypted; the payload's round must match the tag.
 */
/**
 * `decryptWith`: the aggregator's secret key, or a function giving the NIP-44 conversation key with
 * an author (what `nip44.getConversationKey(secretKey, author)` computes; the EventReader caches it).
 */
export function parseResult(
  event: Event,
  options: { decryptWith?: Uint8Array | ((author: string) => Uint8Array) } = {},
): JobResult {
  if (event.kind !== KIND_FL_JOB_RESULT)
    throw new ProtocolError("wrongKind", `kind ${event.kind} is not a fedstr job result`);
  const e = firstTag(event.tags, "e");
  if (e == null || !isHexPubkey(e[1])) throw malformed("result needs an e tag with the job request id");
  const ps = tagValues(event.tags, "p");
  if (ps.length !== 1 || !isHexPubkey(ps[0]?.[1])) throw malformed("result needs exactly one p tag (the aggregator)");
  const roundTag = firstTag(event.tags, "round")?.[1];
  if (roundTag == null || !/^(0|[1-9][0-9]{0,8})$/.test(roundTag)) throw malformed("result needs a round tag");
  const round = Number(roundTag);
  const encrypted = event.tags.some((t) => t[0] === "encrypted");
  const aggregator = ps[0]?.[1] as string;
  let payload: ResultPayload | undefined;
  if (!encrypted) {
    let json: unknown;
    try {
      json = JSON.parse(event.content);
    } catch {
      throw malformed("result content is not JSON");
    }
    payload = checkResultPayload(json);
  } else if (options.decryptWith != null) {
    const key = options.decryptWith;
    let text: string;
    try {
      text = nip44.decrypt(
        event.content,
        typeof key === "function" ? key(event.pubkey) : nip44.getConversationKey(key, event.pubkey),
      );
    } catch (err) {
      throw new ProtocolError("undecryptable", `cannot decrypt result: ${(err as Error).message}`);
    }
    let json: unknown;
    try {
      json = JSON.parse(text);
    } catch {
      throw malformed("decrypted result is not JSON");
    }
    payload = checkResultPayload(json);
  }
  if (payload != null && payload.round !== round) throw malformed("round tag and payload round differ");
  return {
    jobId: e[1] as string,
    aggregator,
    round,
    encrypted,
    payload,
    binding: bindingFromTags(event.tags, event.pubkey),
  };
}

// ---------- feedback (kind 7000) ----------

export interface JobFeedback {
  jobId: string;
  /**
   * Who the feedback is for (participants, or the job's requester): one `p` tag each, at most
   * MAX_FEEDBACK_RECIPIENTS. A round's notice or verdict that says the same to many participants is
   * one event naming them all (`feedbackForMany` splits longer lists), so feedback grows with the
   * round's rejections, not with its participants.
   */
  recipients: string[];
  status: FeedbackStatus;
  /** Human-readable detail; for `error` the reason (required). */
  info?: string;
  /** partial/success: the round the model belongs to. */
  round?: number;
  /** partial/success: the aggregated model. */
  model?: { cid: string; sha256: string };
  /** partial/success: evaluation metrics of the model. */
  metrics?: Record<string, number>;
  /** stake-required: the stake to deposit (base units; mint omitted for SOL). */
  stake?: TokenAmount;
  /** partial/success/error: the round report on IPFS (job/report: verdicts, rewards and proofs). */
  report?: { cid: string; sha256: string };
}

export function feedbackTemplate(
  fb: JobFeedback,
  options: BuildOptions & { relayHint?: string; binding?: IdentityBinding } = {},
): EventTemplate {
  const tags: string[][] = [
    ["status", fb.status, ...(fb.info != null ? [fb.info] : [])],
    ["e", fb.jobId, options.relayHint ?? ""],
    ...fb.recipients.map((p) => ["p", p]),
  ];
  if (fb.round != null) tags.push(["round", String(fb.round)]);
  if (fb.model != null) tags.push(["model", fb.model.cid, fb.model.sha256]);
  if (fb.report != null) tags.push(["report", fb.report.cid, fb.report.sha256]);
  for (const [k, v] of Object.entries(fb.metrics ?? {})) tags.push(["metric", k, String(v)]);
  if (fb.stake != null) tags.push(["stake", fb.stake.amount, ...(fb.stake.mint != null ? [fb.stake.mint] : [])]);
  if (options.binding != null) tags.push(bindingToTag(options.binding));
  const t: EventTemplate = { kind: KIND_JOB_FEEDBACK, created_at: options.createdAt ?? now(), tags, content: "" };
  parseFeedbackFields(t);
  return t;
}

export function buildFeedback(
  fb: JobFeedback,
  secretKey: Uint8Array,
  options: BuildOptions & { relayHint?: string; binding?: IdentityBinding } = {},
): VerifiedEvent {
  return finalizeEvent(feedbackTemplate(fb, options), secretKey);
}

/**
 * The same feedback to any number of recipients: one event per MAX_FEEDBACK_RECIPIENTS of them
 * (duplicates dropped, order kept); none when there is nobody to tell.
 */
export function feedbackForMany(
  fb: Omit<JobFeedback, "recipients">,
  recipients: Iterable<string>,
  secretKey: Uint8Array,
  options: BuildOptions & { relayHint?: string } = {},
): VerifiedEvent[] {
  const all = [...new Set(recipients)];
  const out: VerifiedEvent[] = [];
  for (let k = 0; k < all.length; k += MAX_FEEDBACK_RECIPIENTS)
    out.push(buildFeedback({ ...fb, recipients: all.slice(k, k + MAX_FEEDBACK_RECIPIENTS) }, secretKey, options));
  return out;
}

function parseFeedbackFields(event: Pick<Event, "kind" | "tags">): JobFeedback {
  if (event.kind !== KIND_JOB_FEEDBACK) throw new ProtocolError("wrongKind", `kind ${event.kind} is not job feedback`);
  const tags = event.tags;
  const st = firstTag(tags, "status");
  const status = st?.[1];
  if (status == null || !(FEEDBACK_STATUSES as readonly string[]).includes(status))
    throw malformed(`status must be one of ${FEEDBACK_STATUSES.join(", ")}`);
  const e = firstTag(tags, "e")?.[1];
  if (!isHexPubkey(e)) throw malformed("feedback needs an e tag with the job request id");
  const recipients = tagValues(tags, "p").map((t) => t[1]);
  if (recipients.length === 0) throw malformed("feedback needs a p tag");
  if (recipients.length > MAX_FEEDBACK_RECIPIENTS)
    throw malformed(`feedback names ${recipients.length} recipients (p tags), at most ${MAX_FEEDBACK_RECIPIENTS}`);
  if (!recipients.every(isHexPubkey)) throw malformed("every p tag of feedback must be a Nostr pubkey (64 hex)");
  if (new Set(recipients).size !== recipients.length) throw malformed("feedback names a recipient twice");
  const fb: JobFeedback = { jobId: e, recipients, status: status as FeedbackStatus };
  const info = st?.[2];
  if (info != null && info !== "") {
    if (info.length > 1024) throw malformed("status info over 1024 characters");
    fb.info = info;
  }
  if (fb.status === "error" && fb.info == null) throw malformed("error feedback needs a reason");
  const round = firstTag(tags, "round")?.[1];
  if (round != null) {
    if (!/^(0|[1-9][0-9]{0,8})$/.test(round)) throw malformed("bad round tag");
    fb.round = Number(round);
  }
  const model = firstTag(tags, "model");
  if (model != null) {
    if (!isFedstrCidString(model[1]) || !HEX64.test(model[2] ?? ""))
      throw malformed("model tag must be [model, <cid>, <sha256 hex>]");
    fb.model = { cid: model[1], sha256: model[2] as string };
  }
  const report = firstTag(tags, "report");
  if (report != null) {
    if (!isFedstrCidString(report[1]) || !HEX64.test(report[2] ?? ""))
      throw malformed("report tag must be [report, <cid>, <sha256 hex>]");
    fb.report = { cid: report[1], sha256: report[2] as string };
  }
  const metricTags = tagValues(tags, "metric");
  if (metricTags.length > 0) {
    const metrics: Record<string, number> = {};
    for (const m of metricTags) {
      const v = Number(m[2]);
      if (m[1] == null || m[1] === "" || m[2] == null || m[2] === "" || !Number.isFinite(v))
        throw malformed("metric tag must be [metric, <name>, <number>]");
      metrics[m[1]] = v;
    }
    if (!isMetrics(metrics)) throw malformed("too many metrics");
    fb.metrics = metrics;
  }
  const stake = firstTag(tags, "stake");
  if (stake != null) {
    if (!AMOUNT.test(stake[1] ?? "")) throw malformed("stake tag amount must be a u64 decimal string");
    if (stake[2] != null && !isSolanaAddress(stake[2])) throw malformed("stake mint is not a Solana address");
    fb.stake = stake[2] != null ? { amount: stake[1] as string, mint: stake[2] } : { amount: stake[1] as string };
  }
  if (fb.status === "partial" && (fb.round == null || fb.model == null))
    throw malformed("partial feedback needs round and model");
  if (fb.status === "stake-required" && fb.stake == null) throw malformed("stake-required feedback needs a stake tag");
  return fb;
}

export function parseFeedback(event: Event): JobFeedback {
  return parseFeedbackFields(event);
}
