/**
 * Junk for the flood tests and bench: what a stranger can publish for free (no stake, no
 * transaction) against a pool's job — validly signed kind-6720 results bound to fresh wallets that
 * never joined, and validly signed malformed ones — and a publisher that pushes them to a real
 * relay over several connections within the relay's per-connection limits.
 *
 * The identities (Nostr key + binding signatures by a fresh Solana wallet) do not depend on the
 * job, so they are generated once in worker threads and cached under ~/.cache/fedstr/junk (the
 * keys are throw-away). The events name the job and the aggregator, so they are signed per run
 * (also in workers).
 */
import { appendFileSync, existsSync, mkdirSync, readFileSync } from "node:fs";
import { availableParallelism } from "node:os";
import { join } from "node:path";
import { Worker } from "node:worker_threads";
import type { Event } from "@fedstr/sdk/nostr";
import WebSocket from "ws";
import { CACHE_DIR } from "../../localnet/index.js";

export interface JunkIdentity {
  sk: string;
  pubkey: string;
  wallet: string;
  nostrSig: string;
  solanaSig: string;
}
export type JunkTask =
  | { type: "identities"; count: number }
  | { type: "events"; jobId: string; aggregator: string; round: number; identities: JunkIdentity[]; malformed: number };

const IDENTITIES = join(CACHE_DIR, "junk", "identities-v1.jsonl");
const WORKER = new URL("./junk-worker.ts", import.meta.url);

function inWorkers<T>(tasks: JunkTask[]): Promise<T[][]> {
  return Promise.all(
    tasks.map(
      (task) =>
        new Promise<T[]>((resolve, reject) => {
          // The worker is TypeScript: register tsx inside it first (Node 20 does not pass --import
          // loaders on to workers).
          const w = new Worker(
            `import("tsx/esm/api").then((m) => { m.register(); return import(${JSON.stringify(WORKER.href)}); })`,
            { eval: true, workerData: task },
          );
          w.once("message", (m: T[]) => {
            resolve(m);
            void w.terminate();
          });
          w.once("error", reject);
          w.once("exit", (code) => {
            if (code !== 0 && code !== 1) reject(new Error(`junk worker exited with ${code}`));
          });
        }),
    ),
  );
}

const split = (n: number, parts: number) =>
  Array.from({ length: parts }, (_, i) => Math.floor((n * (i + 1)) / parts) - Math.floor((n * i) / parts));
const workers = () => Math.max(1, Math.min(4, availableParallelism()));

/** `n` bound throw-away identities, from the cache (generated and appended when missing). */
export async function junkIdentities(
  n: number,
): Promise<{ identities: JunkIdentity[]; generated: number; ms: number }> {
  const t0 = performance.now();
  const have = existsSync(IDENTITIES)
    ? readFileSync(IDENTITIES, "utf8")
        .split("\n")
        .filter((l) => l.endsWith("}"))
        .map((l) => JSON.parse(l) as JunkIdentity)
    : [];
  const missing = Math.max(0, n - have.length);
  if (missing > 0) {
    const made = (
      await inWorkers<JunkIdentity>(split(missing, workers()).map((count) => ({ type: "identities", count })))
    ).flat();
    mkdirSync(join(CACHE_DIR, "junk"), { recursive: true });
    appendFileSync(IDENTITIES, made.map((x) => `${JSON.stringify(x)}\n`).join(""));
    have.push(...made);
  }
  return { identities: have.slice(0, n), generated: missing, ms: performance.now() - t0 };
}

/** Sign `bound` results from cached identities and `malformed` junk events for the job (round `round`). */
export async function junkEvents(o: {
  jobId: string;
  aggregator: string;
  round: number;
  bound: number;
  malformed: number;
}): Promise<{ events: Event[]; identityMs: number; generatedIdentities: number; signMs: number }> {
  const ids = await junkIdentities(o.bound);
  const t0 = performance.now();
  const parts = workers();
  const boundSplit = split(o.bound, parts),
    malformedSplit = split(o.malformed, parts);
  let at = 0;
  const tasks: JunkTask[] = boundSplit.map((k, i) => {
    const identities = ids.identities.slice(at, at + k);
    at += k;
    return {
      type: "events",
      jobId: o.jobId,
      aggregator: o.aggregator,
      round: o.round,
      identities,
      malformed: malformedSplit[i]!,
    };
  });
  const events = (await inWorkers<Event>(tasks)).flat();
  // Interleave bound and malformed junk, as a flood from many sources would arrive.
  events.sort((a, b) => (a.id < b.id ? -1 : 1));
  return { events, identityMs: ids.ms, generatedIdentities: ids.generated, signMs: performance.now() - t0 };
}

/**
 * Publish `events` to the relay at `url` over `connections` WebSockets, each paced to
 * `perSecond` EVENTs per second (below the relay's per-connection limit), waiting for every OK.
 * Resolves with the number accepted and the refusals by message prefix.
 */
export async function publishFlood(
  url: string,
  events: Event[],
  o: { connections: number; perSecond: number; onAcked?: (acked: number) => void },
): Promise<{ ok: number; refused: Record<string, number> }> {
  let ok = 0,
    acked = 0;
  const refused: Record<string, number> = {};
  const shares = split(events.length, o.connections);
  let at = 0;
  await Promise.all(
    shares.map(async (k) => {
      const mine = events.slice(at, (at += k));
      const ws = new WebSocket(url);
      await new Promise((resolve, reject) => {
        ws.once("open", resolve);
        ws.once("error", reject);
      });
      const waiting = new Map<string, () => void>();
      ws.on("message", (d) => {
        const m = JSON.parse(d.toString()) as unknown[];
        if (m[0] !== "OK") return;
        if (m[2] === true) ok++;
        else {
          const why = String(m[3]).split(":")[0]!;
          refused[why] = (refused[why] ?? 0) + 1;
        }
        acked++;
        o.onAcked?.(acked);
        waiting.get(m[1] as string)?.();
      });
      for (let i = 0; i < mine.length; i += o.perSecond) {
        const started = Date.now();
        const batch = mine.slice(i, i + o.perSecond);
        await Promise.all(
          batch.map(
            (e) =>
              new Promise<void>((resolve) => {
                waiting.set(e.id, resolve);
                ws.send(JSON.stringify(["EVENT", e]));
              }),
          ),
        );
        const left = 1000 - (Date.now() - started);
        if (left > 0) await new Promise((r) => setTimeout(r, left));
      }
      ws.close();
    }),
  );
  return { ok, refused };
}
