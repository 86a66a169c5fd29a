/**
 * One pool round on the real localnet under a junk flood, shared by tests/aggregator/junk-flood.test.ts
 * and bench/junk.ts: three honest participants (SDK-driven: commit_update + an encrypted result),
 * the real `fedstr-aggregator run` process, and `bound` + `malformed` junk events from strangers
 * (tests/support/junk.ts) published to the real relay during the round — the honest results go out
 * once half of the junk has been accepted by the relay, so they sit behind it on the aggregator's socket.
 */
import { readFileSync } from "node:fs";
import type { Session } from "@fedstr/sdk/cli";
import { loadNostrKey } from "@fedstr/sdk/config";
import * as fl from "@fedstr/sdk/fl";
import type { Event } from "@fedstr/sdk/nostr";
import { fetchCommitment, findCommitmentAddress } from "@fedstr/sdk/program";
import { sha256Hex } from "@fedstr/sdk/storage";
import type { LocalnetHandle } from "../../localnet/index.js";
import type { RunningActor } from "../../scripts/lib/actors.js";
import { RELAY_LIMITS } from "../../sdk/src/nostr/relay-server.js";
import { junkEvents, publishFlood } from "../support/junk.js";
import { commitIx, nudgedUpdate, PoolWorld, resultEvent } from "../support/pool-world.js";

export const HONEST = ["p1", "p2", "p3"] as const;
export const JUNK_WALLETS = ["organization", "aggregator", ...HONEST];

export interface JunkRound {
  pool: string;
  jobEvent: Event;
  aggregatorNostr: string;
  aggregator: RunningActor;
  exitCode: number | null;
  sessions: Record<string, Session>;
  honestNostr: Record<string, string>;
  /** The relay's answers to the junk. */
  flood: {
    ok: number;
    refused: Record<string, number>;
    publishMs: number;
    generation: { identityMs: number; generatedIdentities: number; signMs: number };
  };
  /** Junk events the relay had accepted (so had sent on to the aggregator) when the honest results went out. */
  junkBeforeHonest: number;
  /** Wall clock (ms) when the last honest result was accepted by the relay. */
  lastResultAt: number;
  /** round-posted's ts − lastResultAt (ms). */
  overheadMs: number;
  /** The aggregator process's peak resident set (VmHWM), kB. */
  peakRssKb: number;
}

/** Peak RSS of a live process, from /proc (0 when it has exited). */
function vmHwmKb(pid: number): number {
  try {
    return Number(/VmHWM:\s+(\d+)/.exec(readFileSync(`/proc/${pid}/status`, "utf8"))?.[1] ?? 0);
  } catch {
    return 0;
  }
}

export async function runJunkRound(
  net: LocalnetHandle,
  o: { bound: number; malformed: number; connections?: number; log?: (l: string) => void },
): Promise<JunkRound> {
  const world = new PoolWorld(net);
  const { config } = world;
  const sessions: Record<string, Session> = Object.fromEntries(JUNK_WALLETS.map((n) => [n, world.session(n)]));
  const org = sessions.organization!;
  const store = await org.store();
  const aggregatorNostr = loadNostrKey(config, net.wallets.aggregator!.keypair).pubkey;
  // The junk names this job: signed in worker threads while the pool is created.
  let junk: ReturnType<typeof junkEvents> | undefined;
  // One long round: it closes as soon as the three honest results are in, not at its deadline.
  const { pool, modelCid, jobEvent } = await world.createDigitsPool({
    rounds: 1,
    joinSeconds: 300,
    roundSeconds: 3600,
    graceSeconds: 600,
    claimSeconds: 3600,
    maxParticipants: 5,
    onJobRequest: (job) => {
      junk = junkEvents({
        jobId: job.id,
        aggregator: aggregatorNostr,
        round: 1,
        bound: o.bound,
        malformed: o.malformed,
      });
    },
  });
  await world.join(pool, HONEST);

  const aggregator = world.startAggregator(pool, {
    onStderr: (l) => o.log?.(`[aggregator] ${l}`),
    onLine: (l) => {
      if (l.event !== "result-received") o.log?.(`[aggregator] ${JSON.stringify(l).slice(0, 400)}`);
    },
  });
  let peakRssKb = 0;
  const rss = setInterval(() => {
    peakRssKb = Math.max(peakRssKb, vmHwmKb(aggregator.child.pid!));
  }, 200);
  try {
    const [generated] = await Promise.all([
      junk!,
      aggregator.waitFor((l) => (l.event === "round-waiting" || l.event === "round-collecting") && l.round === 1),
    ]);
    o.log?.(
      `junk: ${generated.events.length} events (identities ${Math.round(generated.identityMs)} ms, ${generated.generatedIdentities} generated; signing ${Math.round(generated.signMs)} ms)`,
    );
    // Open round 1 now instead of sitting out the join window.
    await world.openRound(pool, 1);

    // The honest participants: an update each, on IPFS before the flood (the embedded IPFS node
    // shares its process with the relay), then during it committed on chain and announced by an
    // encrypted, bound result.
    const global = fl.decode(await store.get(modelCid), { copy: true });
    const updates = await Promise.all(
      HONEST.map(async (_, k) => {
        const bytes = nudgedUpdate(global, k);
        return { cid: (await store.put(bytes)).toString(), sha: sha256Hex(bytes) };
      }),
    );
    const participate = async (name: string, k: number) => {
      const s = sessions[name]!;
      const update = { ...updates[k]!, samples: 100 + k };
      const ix = await commitIx(s, pool, 1, update);
      try {
        await s.send("commit", [ix]);
      } catch (e) {
        // This process also hosts the relay, busy verifying the flood: a confirmation can time out
        // although the transaction landed. The Commitment account says which.
        const address = findCommitmentAddress(pool, s.wallet.publicKey, 1, config.programId)[0];
        let landed = false;
        for (const until = Date.now() + 120_000; !landed && Date.now() < until; ) {
          landed = (await fetchCommitment(s.program, address).catch(() => null)) !== null;
          if (!landed) await new Promise((r) => setTimeout(r, 1000));
        }
        if (!landed) throw e;
      }
      const result = await resultEvent(s, jobEvent, aggregatorNostr, 1, update);
      // The relay's OK can take longer than the client's publish timeout while it verifies the flood:
      // send again (a repeat is "duplicate", OK true).
      let sent = await (await s.relays()).publish(result);
      for (const until = Date.now() + 180_000; !sent.some((x) => x.ok) && Date.now() < until; ) {
        await new Promise((r) => setTimeout(r, 1000)); // also covers a dropped connection: the pool reconnects
        sent = await (await s.relays()).publish(result);
      }
      if (!sent.some((x) => x.ok))
        throw new Error(`${name}'s result was not accepted by the relay: ${JSON.stringify(sent)}`);
    };
    let junkBeforeHonest = 0;
    let lastResultAt = 0;
    let honestStarted = false;
    let honest: Promise<void> | undefined;
    const goHonest = (acked: number) => {
      if (honestStarted) return;
      honestStarted = true;
      junkBeforeHonest = acked;
      honest = Promise.all(HONEST.map((n, k) => participate(n, k))).then(() => {
        lastResultAt = Date.now();
      });
    };
    const half = Math.floor(generated.events.length / 2);
    if (half === 0) goHonest(0);
    const t0 = performance.now();
    // Several connections, each paced below the relay's per-connection event rate (what a flooder must do too).
    const flood = await publishFlood(net.relayUrl, generated.events, {
      connections: o.connections ?? 40,
      perSecond: Math.floor(RELAY_LIMITS.eventsPerSecond * 0.9),
      onAcked: (acked) => {
        if (acked >= half) goHonest(acked);
      },
    });
    const publishMs = performance.now() - t0;
    goHonest(flood.ok);
    await honest;
    const exitCode = await aggregator.exited;
    const posted = aggregator.lines.find((l) => l.event === "round-posted" && l.round === 1);
    return {
      pool: pool.toBase58(),
      jobEvent,
      aggregatorNostr,
      aggregator,
      exitCode,
      sessions,
      honestNostr: Object.fromEntries(HONEST.map((n) => [n, sessions[n]!.nostr.pubkey])),
      flood: {
        ...flood,
        publishMs,
        generation: {
          identityMs: generated.identityMs,
          generatedIdentities: generated.generatedIdentities,
          signMs: generated.signMs,
        },
      },
      junkBeforeHonest,
      lastResultAt,
      overheadMs: posted !== undefined ? (posted.ts as number) - lastResultAt : Number.NaN,
      peakRssKb,
    };
  } finally {
    clearInterval(rss);
    aggregator.kill("SIGKILL");
  }
}
