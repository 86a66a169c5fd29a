/**
 * The gate every incoming event goes through. `accept(raw)` verifies shape,
 * size, id, signature, kind, `created_at` window, duplicates/replays, the
 * fedstr schema and (for results) the identity binding, then returns a typed
 * event — or null, after counting the reason. It never throws.
 */
import { schnorr } from "@noble/curves/secp256k1";
import { hexToBytes } from "@noble/hashes/utils";
import * as nip44 from "nostr-tools/nip44";
import { type Event, getEventHash, getPublicKey } from "nostr-tools/pure";
import { bindingFromTags, checkBinding, type IdentityBinding } from "./binding.js";
import {
  type JobFeedback,
  type JobRequest,
  type JobResult,
  ProtocolError,
  parseFeedback,
  parseJobRequest,
  parseResult,
} from "./events.js";
import { KIND_FL_JOB_REQUEST, KIND_FL_JOB_RESULT, KIND_JOB_FEEDBACK } from "./kinds.js";

export interface ValidationCounters {
  accepted: number;
  /** Not an object with NIP-01 fields of the right types, or a fedstr schema violation. */
  malformed: number;
  /** Serialized event over maxEventBytes. */
  oversized: number;
  /** id is not the sha256 of the serialized event. */
  badId: number;
  /** Schnorr signature does not verify for pubkey. */
  badSignature: number;
  /** Kind not accepted by this reader. */
  wrongKind: number;
  /** created_at older than maxAgeSec. */
  stale: number;
  /** created_at more than maxFutureSec ahead. */
  future: number;
  /** Same event id seen before (normal with several relays; not an attack). */
  duplicate: number;
  /** A different event for something already accepted (same job+author+round result, same feedback). */
  replayed: number;
  /** Result without an identity binding. */
  unboundIdentity: number;
  /** Binding present but a signature does not verify. */
  badBinding: number;
  /** Encrypted result that cannot be decrypted with our key. */
  undecryptable: number;
  /** Event for a job this reader is not following (when jobIds is set). */
  otherJob: number;
  /** Result whose `p` is not this reader's key (when decryptWith is set). */
  misaddressed: number;
  /** Feedback from someone who is not the job's requester or aggregator (for jobs followed with their authors). */
  untrustedAuthor: number;
  /** Result whose bound wallet (or Nostr key) is not one the `resultsFrom` check allows: a stranger's, dropped before any signature is checked. */
  notParticipant: number;
}

export type RejectReason = Exclude<keyof ValidationCounters, "accepted">;

export type AcceptedEvent =
  | { type: "job-request"; event: Event; job: JobRequest; binding?: IdentityBinding }
  | { type: "result"; event: Event; result: JobResult & { binding: IdentityBinding } }
  | { type: "feedback"; event: Event; feedback: JobFeedback; binding?: IdentityBinding };

export interface EventReaderOptions {
  /** Kinds accepted (default: all three fedstr kinds). */
  kinds?: readonly number[];
  /** Clock in unix seconds (inject for tests). */
  now?: () => number;
  /** Oldest accepted created_at, relative to now (default 24 h). */
  maxAgeSec?: number;
  /** Furthest-ahead accepted created_at (default 10 min of clock skew). */
  maxFutureSec?: number;
  /** Largest serialized event (default 64 KiB). */
  maxEventBytes?: number;
  /** Ids remembered for de-duplication (default 100 000, oldest forgotten first). */
  seenCapacity?: number;
  /** The aggregator's secret key: decrypt NIP-44 results addressed to it. */
  decryptWith?: Uint8Array;
  /**
   * How to compute the NIP-44 conversation key of `decryptWith` with an author (default: nostr-tools,
   * pure JS); in Node, `nativeConversationKey` is ~4× faster. Either way it is computed once per author.
   */
  conversationKey?: (secretKey: Uint8Array, author: string) => Uint8Array;
  /** Only accept results/feedback referencing these job request ids (see also followJob). */
  jobIds?: Iterable<string>;
  /**
   * Who may publish results (kind 6720): called with the wallet named by the event's binding tag and
   * the event's author before the id, the signatures or the content are looked at, so an event from
   * anyone it refuses costs O(1) (counted as `notParticipant`; a result without a binding tag is
   * `unboundIdentity` at the same point). The aggregator passes its pool's participants.
   */
  resultsFrom?: (wallet: string, nostrPubkey: string) => boolean;
  /**
   * Wallet ↔ Nostr key pairs the caller knows to be bound already — the aggregator's participants,
   * whose wallet recorded its Nostr key on chain when it joined (a transaction the wallet signed).
   * A result whose binding names such a pair skips the binding's two signature checks: the event's
   * own signature (by the Nostr key, over the tag naming the wallet) completes the binding.
   */
  boundElsewhere?: (wallet: string, nostrPubkey: string) => boolean;
  /** Called for every rejection (logging); must not throw. */
  onReject?: (reason: RejectReason, detail: string, raw: unknown) => void;
}

const utf8 = new TextEncoder();
const HEX64 = /^[0-9a-f]{64}$/;
const HEX128 = /^[0-9a-f]{128}$/;

export function emptyCounters(): ValidationCounters {
  return {
    accepted: 0,
    malformed: 0,
    oversized: 0,
    badId: 0,
    badSignature: 0,
    wrongKind: 0,
    stale: 0,
    future: 0,
    duplicate: 0,
    replayed: 0,
    unboundIdentity: 0,
    badBinding: 0,
    undecryptable: 0,
    otherJob: 0,
    misaddressed: 0,
    untrustedAuthor: 0,
    notParticipant: 0,
  };
}

/** NIP-01 shape check; returns the typed event or a reason. */
function shape(raw: unknown): Event | string {
  if (raw == null || typeof raw !== "object" || Array.isArray(raw)) return "not an object";
  const e = raw as Record<string, unknown>;
  if (typeof e.id !== "string" || !HEX64.test(e.id)) return "bad id field";
  if (typeof e.pubkey !== "string" || !HEX64.test(e.pubkey)) return "bad pubkey field";
  if (typeof e.sig !== "string" || !HEX128.test(e.sig)) return "bad sig field";
  if (!Number.isSafeInteger(e.created_at) || (e.created_at as number) < 0) return "bad created_at";
  if (!Number.isSafeInteger(e.kind) || (e.kind as number) < 0 || (e.kind as number) > 65535) return "bad kind";
  if (typeof e.content !== "string") return "bad content";
  if (
    !Array.isArray(e.tags) ||
    e.tags.length > 256 ||
    !e.tags.every((t) => Array.isArray(t) && t.length > 0 && t.every((v) => typeof v === "string"))
  )
    return "bad tags";
  return {
    id: e.id,
    pubkey: e.pubkey,
    sig: e.sig,
    created_at: e.created_at as number,
    kind: e.kind as number,
    content: e.content,
    tags: e.tags as string[][],
  };
}

export class EventReader {
  readonly counters: ValidationCounters = emptyCounters();
  private readonly kinds: Set<number>;
  private readonly now: () => number;
  private readonly maxAgeSec: number;
  private readonly maxFutureSec: number;
  private readonly maxEventBytes: number;
  private readonly seenCapacity: number;
  private readonly decryptWith: Uint8Array | undefined;
  private jobIds: Set<string> | undefined;
  private readonly feedbackAuthors = new Map<string, Set<string>>();
  private readonly self: string | undefined;
  private readonly onReject: EventReaderOptions["onReject"];
  private readonly resultsFrom: EventReaderOptions["resultsFrom"];
  private readonly boundElsewhere: EventReaderOptions["boundElsewhere"];
  private readonly conversationKey: EventReaderOptions["conversationKey"];
  private readonly conversationKeys = new Map<string, Uint8Array>();
  private readonly seen = new Set<string>();
  private readonly logical = new Set<string>();

  constructor(options: EventReaderOptions = {}) {
    this.kinds = new Set(options.kinds ?? [KIND_FL_JOB_REQUEST, KIND_FL_JOB_RESULT, KIND_JOB_FEEDBACK]);
    this.now = options.now ?? (() => Math.floor(Date.now() / 1000));
    this.maxAgeSec = options.maxAgeSec ?? 24 * 3600;
    this.maxFutureSec = options.maxFutureSec ?? 600;
    this.maxEventBytes = options.maxEventBytes ?? 64 * 1024;
    this.seenCapacity = options.seenCapacity ?? 100_000;
    this.decryptWith = options.decryptWith;
    this.jobIds = options.jobIds != null ? new Set(options.jobIds) : undefined;
    this.self = options.decryptWith != null ? getPublicKey(options.decryptWith) : undefined;
    this.onReject = options.onReject;
    this.resultsFrom = options.resultsFrom;
    this.boundElsewhere = options.boundElsewhere;
    this.conversationKey = options.conversationKey;
  }

  /** The conversation key with `author`, computed once (an ECDH: most of what decrypting a result costs). */
  private conversationKeyWith(secretKey: Uint8Array, author: string): Uint8Array {
    let key = this.conversationKeys.get(author);
    if (key === undefined) {
      key = (this.conversationKey ?? nip44.getConversationKey)(secretKey, author);
      this.conversationKeys.set(author, key);
      if (this.conversationKeys.size > this.seenCapacity)
        this.conversationKeys.delete(this.conversationKeys.keys().next().value!);
    }
    return key;
  }

  /**
   * Follow a job: results/feedback for it become acceptable (switching the
   * reader to "followed jobs only" if it was accepting all). Given the job
   * request (or its id plus the trusted authors), feedback for the job is only
   * accepted from the job's requester and its aggregator.
   */
  followJob(
    job: string | { id: string; pubkey: string; aggregator?: string } | { event: Event; job: JobRequest },
    feedbackFrom?: Iterable<string>,
  ): void {
    let id: string;
    const authors = new Set(feedbackFrom ?? []);
    if (typeof job === "string") id = job;
    else if ("event" in job) {
      id = job.event.id;
      authors.add(job.event.pubkey);
      authors.add(job.job.aggregator);
    } else {
      id = job.id;
      authors.add(job.pubkey);
      if (job.aggregator != null) authors.add(job.aggregator);
    }
    this.jobIds ??= new Set();
    this.jobIds.add(id);
    if (authors.size > 0) this.feedbackAuthors.set(id, authors);
  }

  private reject(reason: RejectReason, detail: string, raw: unknown): null {
    this.counters[reason]++;
    try {
      this.onReject?.(reason, detail, raw);
    } catch {
      /* never let logging break the reader */
    }
    return null;
  }

  private remember(set: Set<string>, key: string): void {
    set.add(key);
    if (set.size > this.seenCapacity) {
      const oldest = set.values().next().value;
      if (oldest !== undefined) set.delete(oldest);
    }
  }

  /** Validate one incoming event. Returns null (and counts why) when it is not trusted. Never throws. */
  accept(raw: unknown): AcceptedEvent | null {
    try {
      return this.acceptUnsafe(raw);
    } catch (err) {
      return this.reject("malformed", `unexpected: ${(err as Error).message}`, raw);
    }
  }

  private acceptUnsafe(raw: unknown): AcceptedEvent | null {
    let size: number;
    try {
      size = utf8.encode(JSON.stringify(raw) ?? "").length;
    } catch {
      return this.reject("malformed", "not serializable", raw);
    }
    if (size > this.maxEventBytes) return this.reject("oversized", `${size} bytes > ${this.maxEventBytes}`, raw);
    const event = shape(raw);
    if (typeof event === "string") return this.reject("malformed", event, raw);
    if (this.resultsFrom != null && event.kind === KIND_FL_JOB_RESULT) {
      // Before any hash or signature: a stranger's result costs a tag lookup and a set lookup.
      const wallet = event.tags.find((t) => t[0] === "solana")?.[1];
      if (wallet == null) return this.reject("unboundIdentity", event.id, raw);
      if (!this.resultsFrom(wallet, event.pubkey)) return this.reject("notParticipant", wallet, raw);
    }
    if (getEventHash(event) !== event.id) return this.reject("badId", event.id, raw);
    if (this.seen.has(event.id)) return this.reject("duplicate", event.id, raw);
    let sigOk = false;
    try {
      sigOk = schnorr.verify(hexToBytes(event.sig), hexToBytes(event.id), hexToBytes(event.pubkey));
    } catch {
      sigOk = false;
    }
    if (!sigOk) return this.reject("badSignature", event.id, raw);
    if (!this.kinds.has(event.kind)) return this.reject("wrongKind", String(event.kind), raw);
    const t = this.now();
    if (event.created_at < t - this.maxAgeSec)
      return this.reject("stale", `created_at ${event.created_at} < ${t - this.maxAgeSec}`, raw);
    if (event.created_at > t + this.maxFutureSec)
      return this.reject("future", `created_at ${event.created_at} > ${t + this.maxFutureSec}`, raw);

    let accepted: AcceptedEvent;
    let logicalKeys: string[] = [];
    try {
      if (event.kind === KIND_FL_JOB_REQUEST) {
        const job = parseJobRequest(event);
        accepted = { type: "job-request", event, job };
        const b = this.optionalBinding(event);
        if (b === null) return this.reject("badBinding", event.id, raw);
        if (b !== undefined) accepted.binding = b;
      } else if (event.kind === KIND_FL_JOB_RESULT) {
        // Identity first: nothing from an unbound or falsely bound key is even decrypted.
        const binding = bindingFromTags(event.tags, event.pubkey);
        if (binding == null) return this.reject("unboundIdentity", event.id, raw);
        if (this.boundElsewhere?.(binding.solanaPubkey, event.pubkey) !== true) {
          const why = checkBinding(binding);
          if (why != null) return this.reject("badBinding", why, raw);
        }
        const jobId = event.tags.find((t) => t[0] === "e")?.[1];
        if (this.jobIds != null && (jobId == null || !this.jobIds.has(jobId)))
          return this.reject("otherJob", String(jobId), raw);
        if (this.self != null && !event.tags.some((t) => t[0] === "p" && t[1] === this.self))
          return this.reject("misaddressed", event.id, raw);
        const sk = this.decryptWith;
        const result = parseResult(
          event,
          sk != null ? { decryptWith: (author: string) => this.conversationKeyWith(sk, author) } : {},
        );
        accepted = { type: "result", event, result: { ...result, binding } };
        logicalKeys = [`result:${result.jobId}:${event.pubkey}:${result.round}`];
      } else if (event.kind === KIND_JOB_FEEDBACK) {
        const feedback = parseFeedback(event);
        if (this.jobIds != null && !this.jobIds.has(feedback.jobId))
          return this.reject("otherJob", feedback.jobId, raw);
        const trusted = this.feedbackAuthors.get(feedback.jobId);
        if (trusted != null && !trusted.has(event.pubkey)) return this.reject("untrustedAuthor", event.pubkey, raw);
        accepted = { type: "feedback", event, feedback };
        const b = this.optionalBinding(event);
        if (b === null) return this.reject("badBinding", event.id, raw);
        if (b !== undefined) accepted.binding = b;
        // One feedback per (job, author, recipient, status, round): a second one naming any of the
        // same recipients is a replay. 'processing' and 'error' may legitimately repeat, so they are keyed by id only.
        if (feedback.status !== "processing" && feedback.status !== "error") {
          logicalKeys = feedback.recipients.map(
            (p) => `feedback:${feedback.jobId}:${event.pubkey}:${p}:${feedback.status}:${feedback.round ?? ""}`,
          );
        }
      } else {
        return this.reject("wrongKind", String(event.kind), raw);
      }
    } catch (err) {
      if (err instanceof ProtocolError) return this.reject(err.reason, err.message, raw);
      throw err;
    }
    const replayed = logicalKeys.find((k) => this.logical.has(k));
    if (replayed !== undefined) return this.reject("replayed", replayed, raw);
    this.remember(this.seen, event.id);
    for (const k of logicalKeys) this.remember(this.logical, k);
    this.counters.accepted++;
    return accepted;
  }

  /** undefined: no binding tag; null: a binding tag that does not verify. */
  private optionalBinding(event: Event): IdentityBinding | undefined | null {
    const t = event.tags.find((x) => x[0] === "solana");
    if (t == null) return undefined;
    const b: IdentityBinding = {
      nostrPubkey: event.pubkey,
      solanaPubkey: t[1] ?? "",
      nostrSig: t[2] ?? "",
      solanaSig: t[3] ?? "",
    };
    return checkBinding(b) == null ? b : null;
  }
}
