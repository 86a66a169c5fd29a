/**
 * RelayPool over two embedded relays on loopback. Reconnect timing runs on
 * injected timers (fired by the test), so no test sleeps.
 */

import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { expect } from "chai";
import { type Event, finalizeEvent, generateSecretKey } from "nostr-tools/pure";
import { Relay, useWebSocketImplementation } from "nostr-tools/relay";
import WebSocket from "ws";
import {
  backoffDelay,
  RelayPool,
  type RelayServerHandle,
  type RelayStatus,
  startRelay,
  type Timers,
} from "../../sdk/src/nostr/index.js";

useWebSocketImplementation(WebSocket);

class ManualTimers implements Timers {
  pending = new Map<number, { fn: () => void; ms: number }>();
  private next = 1;
  setTimeout = (fn: () => void, ms: number): unknown => {
    const id = this.next++;
    this.pending.set(id, { fn, ms });
    return id;
  };
  clearTimeout = (h: unknown): void => {
    this.pending.delete(h as number);
  };
  delays(): number[] {
    return [...this.pending.values()].map((p) => p.ms);
  }
  fireAll(): void {
    const all = [...this.pending.values()];
    this.pending.clear();
    for (const p of all) p.fn();
  }
}

/** Resolves when the pool reports a status matching `pred`. */
function statusWatcher(): {
  onStatus: (s: RelayStatus) => void;
  until: (pred: (s: RelayStatus) => boolean) => Promise<RelayStatus>;
} {
  const waiters: Array<{ pred: (s: RelayStatus) => boolean; resolve: (s: RelayStatus) => void }> = [];
  return {
    onStatus: (s) => {
      for (const w of [...waiters])
        if (w.pred(s)) {
          waiters.splice(waiters.indexOf(w), 1);
          w.resolve(s);
        }
    },
    until: async (pred) =>
      await new Promise((resolve) => {
        waiters.push({ pred, resolve });
      }),
  };
}

function collector(): {
  events: Array<{ id: string; content: string; relay: string }>;
  waitFor: (pred: () => boolean) => Promise<void>;
  push: (e: Event, relay: string) => void;
} {
  const events: Array<{ id: string; content: string; relay: string }> = [];
  let waiters: Array<{ pred: () => boolean; resolve: () => void }> = [];
  return {
    events,
    push: (e, relay) => {
      events.push({ id: e.id, content: e.content, relay });
      waiters = waiters.filter((w) => {
        if (w.pred()) {
          w.resolve();
          return false;
        }
        return true;
      });
    },
    waitFor: async (pred) => {
      if (pred()) return;
      await new Promise<void>((resolve) => {
        waiters.push({ pred, resolve });
      });
    },
  };
}

describe("nostr/RelayPool: several relays, back-off, resume with since", () => {
  let dirA: string, dirB: string;
  let a: RelayServerHandle, b: RelayServerHandle;
  const sk = generateSecretKey();
  const now = Math.floor(Date.now() / 1000);
  const ev = (content: string, dt: number): Event =>
    finalizeEvent({ kind: 7000, created_at: now + dt, tags: [["t", "pool-test"]], content }, sk);

  before(async () => {
    dirA = await mkdtemp(join(tmpdir(), "fedstr-pool-a-"));
    dirB = await mkdtemp(join(tmpdir(), "fedstr-pool-b-"));
    a = await startRelay({ dataDir: dirA });
    b = await startRelay({ dataDir: dirB });
  });
  after(async () => {
    await a.close();
    await b.close();
    await rm(dirA, { recursive: true, force: true });
    await rm(dirB, { recursive: true, force: true });
  });

  it("computes exponential back-off with a cap and bounded jitter", () => {
    const mid = (): number => 0.5; // no jitter
    expect([0, 1, 2, 3, 10].map((n) => backoffDelay(n, { initialMs: 500, maxMs: 8000 }, mid))).to.deep.equal([
      500, 1000, 2000, 4000, 8000,
    ]);
    expect(backoffDelay(2, { initialMs: 500, jitter: 0.2 }, () => 0)).to.equal(1600);
    expect(backoffDelay(2, { initialMs: 500, jitter: 0.2 }, () => 1)).to.equal(2400);
  });

  it("publishes to all, keeps working while one relay is down, reconnects with back-off and resumes with since", async () => {
    const timers = new ManualTimers();
    const watch = statusWatcher();
    // A clock that stands still: every reconnect-now (the queued e2 below) is "too soon" and leaves
    // the back-off as it is.
    const pool = new RelayPool([a.url, b.url], {
      timers,
      now: () => 0,
      random: () => 0.5,
      backoff: { initialMs: 500, maxMs: 8000 },
      onStatus: watch.onStatus,
    });
    const got = collector();
    try {
      // Something old already on B.
      const direct = await Relay.connect(b.url);
      const old = ev("old-on-b", -300);
      await direct.publish(old);
      direct.close();

      const st = await pool.start();
      expect(st.map((s) => s.connected)).to.deep.equal([true, true]);
      pool.subscribe([{ kinds: [7000], "#t": ["pool-test"] }], { onevent: got.push });
      const e1 = ev("e1", -200);
      const out1 = await pool.publish(e1);
      expect(out1.map((o) => o.ok)).to.deep.equal([true, true]);
      await got.waitFor(
        () =>
          got.events.filter((x) => x.content === "e1").length === 2 && got.events.some((x) => x.content === "old-on-b"),
      );

      // B goes down.
      const bPort = b.port;
      const down = watch.until((s) => s.url === b.url && !s.connected && s.retryInMs != null);
      await b.close();
      expect((await down).retryInMs).to.equal(500);
      expect(timers.delays()).to.deep.equal([500]);

      // Publishing still works on A; B gets it queued.
      const e2 = ev("e2", -100);
      const out2 = await pool.publish(e2);
      expect(out2.find((o) => o.url === a.url)?.ok).to.equal(true);
      expect(out2.find((o) => o.url === b.url)).to.include({ ok: false, queued: true });
      await got.waitFor(() => got.events.some((x) => x.content === "e2" && x.relay === a.url));

      // Retry while B is still down: the delay doubles.
      let next = watch.until((s) => s.url === b.url && s.retryInMs === 1000);
      timers.fireAll();
      await next;
      next = watch.until((s) => s.url === b.url && s.retryInMs === 2000);
      timers.fireAll();
      await next;
      expect(pool.status().find((s) => s.url === b.url)).to.include({ connected: false, attempts: 3, queued: 1 });

      // B comes back on the same port with its data; someone publishes there while we are away.
      b = await startRelay({ dataDir: dirB, port: bPort });
      const other = await Relay.connect(b.url);
      const e3 = ev("e3-while-away", -50);
      await other.publish(e3);
      other.close();

      const up = watch.until((s) => s.url === b.url && s.connected && s.queued === 0);
      timers.fireAll();
      await up;
      // Resumed subscription delivers what was missed on B (e3), the queued e2 reaches B and comes back live,
      // and nothing older than the last event seen from B (old-on-b) is sent again.
      await got.waitFor(
        () =>
          got.events.some((x) => x.content === "e3-while-away" && x.relay === b.url) &&
          got.events.some((x) => x.content === "e2" && x.relay === b.url),
      );
      expect(got.events.filter((x) => x.content === "old-on-b").length).to.equal(1);
      expect(pool.status().find((s) => s.url === b.url)).to.include({ connected: true, attempts: 0, queued: 0 });
      expect(timers.pending.size).to.equal(0);
    } finally {
      pool.close();
    }
  });

  it("a connection attempt that times out (the server never answers the handshake) is retried, not a crash", async () => {
    const { createServer } = await import("node:net");
    const silent = createServer(() => {
      /* accept the TCP connection, never answer the WebSocket handshake */
    });
    await new Promise<void>((resolve) => silent.listen(0, "127.0.0.1", resolve));
    const port = (silent.address() as { port: number }).port;
    const timers = new ManualTimers();
    const pool = new RelayPool([`ws://127.0.0.1:${port}`], { connectTimeoutMs: 200, timers });
    try {
      const [status] = await pool.start();
      await new Promise((resolve) => setTimeout(resolve, 100)); // the socket's 'error' event comes after the timeout: it must find a listener
      expect(status?.connected).to.equal(false);
      expect(status?.lastError).to.match(/timed out/);
      expect(timers.delays(), "a reconnect is scheduled").to.have.length(1);
    } finally {
      pool.close();
      silent.close();
    }
  });

  describe("reconnect now, and waking the waiters", () => {
    let dirC: string;
    let c: RelayServerHandle;
    let clock: number;
    const now = (): number => clock;
    beforeEach(async () => {
      dirC = await mkdtemp(join(tmpdir(), "fedstr-pool-c-"));
      c = await startRelay({ dataDir: dirC });
      clock = 1_000_000;
    });
    afterEach(async () => {
      await c.close().catch(() => undefined);
      await rm(dirC, { recursive: true, force: true });
    });

    /** A pool over relay C that has seen C go down and has backed off to `maxMs` (timers fired by hand, clock moved by hand). */
    async function backedOff(
      timers: ManualTimers,
      watch: ReturnType<typeof statusWatcher>,
      maxMs: number,
    ): Promise<RelayPool> {
      const pool = new RelayPool([c.url], {
        timers,
        now,
        random: () => 0.5,
        backoff: { initialMs: 500, maxMs },
        onStatus: watch.onStatus,
      });
      expect((await pool.start())[0]?.connected).to.equal(true);
      const down = watch.until((s) => !s.connected && s.retryInMs != null);
      await c.close();
      await down;
      while (timers.delays()[0] !== maxMs) {
        const before = pool.status()[0]?.attempts ?? 0;
        const next = watch.until((s) => !s.connected && s.retryInMs != null && s.attempts > before);
        clock += 60_000;
        timers.fireAll();
        await next;
      }
      return pool;
    }

    const storedOn = async (url: string, id: string): Promise<boolean> => {
      const direct = await Relay.connect(url);
      try {
        return await new Promise<boolean>((resolve) => {
          let found = false;
          const sub = direct.subscribe([{ ids: [id] }], {
            onevent: () => {
              found = true;
            },
            oneose: () => {
              sub.close();
              resolve(found);
            },
          });
        });
      } finally {
        direct.close();
      }
    };

    it("an event queued while the relay is down makes the pool reconnect at once, not after the pending back-off", async () => {
      const timers = new ManualTimers();
      const watch = statusWatcher();
      const pool = await backedOff(timers, watch, 30_000);
      try {
        expect(timers.delays(), "a 30 s back-off is pending").to.deep.equal([30_000]);
        c = await startRelay({ dataDir: dirC, port: c.port });
        clock += 5000; // well past minReconnectMs since the last attempt
        const up = watch.until((s) => s.connected && s.queued === 0);
        const e = ev("queued-while-down", 0);
        const [outcome] = await pool.publish(e);
        expect(outcome).to.include({ ok: false, queued: true });
        await up; // no timer fired: the queueing itself reconnected
        expect(timers.pending.size, "the 30 s retry was cancelled").to.equal(0);
        expect(await storedOn(c.url, e.id), "the queued event reached the relay").to.equal(true);
      } finally {
        pool.close();
      }
    });

    it("a reconnect asked for too soon after the last attempt brings the pending retry forward to minReconnectMs; while events are queued the back-off stays under queuedMaxMs", async () => {
      const timers = new ManualTimers();
      const watch = statusWatcher();
      const pool = await backedOff(timers, watch, 30_000);
      try {
        clock += 200; // 200 ms after the last attempt: the next may come 800 ms from now
        await pool.reconnectNow();
        expect(timers.delays()).to.deep.equal([800]);
        // The attempt fails (C is still down) with an event queued: the next back-off is capped.
        await pool.publish(ev("queued", 0));
        const failed = watch.until((s) => !s.connected && s.retryInMs === 5000);
        clock += 800;
        timers.fireAll();
        await failed;
        expect(timers.delays()).to.deep.equal([5000]);
      } finally {
        pool.close();
      }
    });

    it("waitForConnection wakes its callers as soon as a relay is back (reconnecting now), says false on timeout, and true at once when connected", async () => {
      const timers = new ManualTimers();
      const watch = statusWatcher();
      const pool = await backedOff(timers, watch, 30_000);
      try {
        // Still down: the wait ends when its timeout (a pool timer) fires.
        const timedOut = pool.waitForConnection({ timeoutMs: 10_000 });
        await new Promise((resolve) => setImmediate(resolve));
        expect(timers.delays()).to.include(10_000);
        const retries = [...timers.pending.entries()].filter(([, p]) => p.ms !== 10_000);
        for (const [id] of retries) timers.pending.delete(id); // only the wait's timeout fires
        timers.fireAll();
        expect(await timedOut).to.equal(false);

        c = await startRelay({ dataDir: dirC, port: c.port });
        clock += 5000;
        let woke = false;
        const waiting = pool.waitForConnection({ timeoutMs: 60_000 }).then((ok) => {
          woke = true;
          return ok;
        });
        expect(await waiting, "woken by the reconnect it asked for").to.equal(true);
        expect(woke).to.equal(true);
        expect(pool.status()[0]?.connected).to.equal(true);
        expect(timers.delays(), "nothing left pending: no back-off, no timeout").to.deep.equal([]);
        expect(await pool.waitForConnection({ timeoutMs: 1 }), "connected: at once").to.equal(true);
      } finally {
        pool.close();
      }
    });

    it("the same event published twice at once (a queued copy flushed on reconnect and a re-send) gets both answers", async () => {
      const pool = new RelayPool([c.url]);
      try {
        await pool.start();
        const e = ev("sent-twice", 0);
        const [one, two] = await Promise.all([pool.publish(e), pool.publish(e)]);
        expect([one?.[0]?.ok, two?.[0]?.ok]).to.deep.equal([true, true]);
      } finally {
        pool.close();
      }
    });

    it("closing the pool wakes its waiters with false", async () => {
      const timers = new ManualTimers();
      const watch = statusWatcher();
      const pool = await backedOff(timers, watch, 2000);
      const waiting = pool.waitForConnection({ timeoutMs: 60_000 });
      pool.close();
      expect(await waiting).to.equal(false);
    });
  });
});
