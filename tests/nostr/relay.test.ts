/**
 * The embedded relay over real WebSockets on loopback, with nostr-tools as the client.
 */

import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { expect } from "chai";
import type { Filter } from "nostr-tools/filter";
import { type Event, finalizeEvent, generateSecretKey, getPublicKey } from "nostr-tools/pure";
import { Relay, useWebSocketImplementation } from "nostr-tools/relay";
import WebSocket from "ws";
import { type RelayServerHandle, startRelay } from "../../sdk/src/nostr/index.js";

useWebSocketImplementation(WebSocket);

async function query(relay: Relay, filters: Filter[]): Promise<Event[]> {
  return await new Promise((resolve) => {
    const got: Event[] = [];
    const sub = relay.subscribe(filters, {
      onevent: (e) => got.push(e),
      oneose: () => {
        sub.close();
        resolve(got);
      },
    });
  });
}

/** Send raw frames and collect answers (to see OK/NOTICE for things nostr-tools would not send). */
async function rawExchange(url: string, frames: unknown[], expectMessages: number): Promise<unknown[][]> {
  const ws = new WebSocket(url);
  await new Promise((resolve, reject) => {
    ws.once("open", resolve);
    ws.once("error", reject);
  });
  const out: unknown[][] = [];
  const done = new Promise<void>((resolve) => {
    ws.on("message", (d) => {
      out.push(JSON.parse(d.toString()) as unknown[]);
      if (out.length >= expectMessages) resolve();
    });
  });
  for (const f of frames) ws.send(typeof f === "string" ? f : JSON.stringify(f));
  await done;
  ws.close();
  return out;
}

describe("nostr/embedded relay (@nostr-relay/core + SQLite over ws)", () => {
  let dir: string;
  let server: RelayServerHandle;
  const alice = generateSecretKey();
  const bob = generateSecretKey();
  const base = Math.floor(Date.now() / 1000) - 100;

  before(async () => {
    dir = await mkdtemp(join(tmpdir(), "fedstr-relay-"));
    server = await startRelay({ dataDir: dir });
  });
  after(async () => {
    await server.close();
    await rm(dir, { recursive: true, force: true });
  });

  it("EVENT → OK, REQ → events + EOSE, filters by kind, author, tag, since and limit", async () => {
    expect(server.url).to.match(/^ws:\/\/127\.0\.0\.1:\d+$/);
    const relay = await Relay.connect(server.url);
    const job = finalizeEvent({ kind: 5720, created_at: base, tags: [["t", "fedstr"]], content: "" }, alice);
    // Bob's results for Alice's job.
    const result = (createdAt: number, content: string) =>
      finalizeEvent(
        {
          kind: 6720,
          created_at: createdAt,
          tags: [
            ["e", job.id],
            ["p", getPublicKey(alice)],
          ],
          content,
        },
        bob,
      );
    const r1 = result(base + 10, "r1");
    const r2 = result(base + 20, "r2");
    const fb = finalizeEvent(
      {
        kind: 7000,
        created_at: base + 30,
        tags: [
          ["status", "processing"],
          ["e", job.id],
          ["p", getPublicKey(bob)],
        ],
        content: "",
      },
      alice,
    );
    for (const e of [job, r1, r2, fb]) await relay.publish(e);

    expect((await query(relay, [{ kinds: [5720] }])).map((e) => e.id)).to.deep.equal([job.id]);
    expect((await query(relay, [{ authors: [getPublicKey(bob)] }])).map((e) => e.content).sort()).to.deep.equal([
      "r1",
      "r2",
    ]);
    expect((await query(relay, [{ "#e": [job.id], kinds: [6720] }])).length).to.equal(2);
    expect((await query(relay, [{ "#p": [getPublicKey(bob)] }])).map((e) => e.id)).to.deep.equal([fb.id]);
    expect((await query(relay, [{ kinds: [6720], since: base + 15 }])).map((e) => e.content)).to.deep.equal(["r2"]);
    expect((await query(relay, [{ kinds: [6720, 7000], limit: 1 }])).map((e) => e.id)).to.deep.equal([fb.id]);
    relay.close();
  });

  it("delivers live events to open subscriptions, and stops after CLOSE", async () => {
    const reader = await Relay.connect(server.url);
    const writer = await Relay.connect(server.url);
    const got: string[] = [];
    let eose!: () => void;
    const eosed = new Promise<void>((resolve) => {
      eose = resolve;
    });
    const sub = reader.subscribe([{ kinds: [7000], authors: [getPublicKey(bob)] }], {
      onevent: (e) => got.push(e.content),
      oneose: () => eose(),
    });
    await eosed;
    await writer.publish(finalizeEvent({ kind: 7000, created_at: base + 40, tags: [], content: "live-1" }, bob));
    // Publishing from the reader's own connection after the writer's OK orders the relay's messages.
    await reader.publish(finalizeEvent({ kind: 1, created_at: base + 41, tags: [], content: "barrier" }, alice));
    expect(got).to.deep.equal(["live-1"]);
    sub.close();
    await writer.publish(finalizeEvent({ kind: 7000, created_at: base + 42, tags: [], content: "after-close" }, bob));
    await reader.publish(finalizeEvent({ kind: 1, created_at: base + 43, tags: [], content: "barrier-2" }, alice));
    expect(got).to.deep.equal(["live-1"]);
    reader.close();
    writer.close();
  });

  it("refuses forged events and malformed messages with OK false / NOTICE", async () => {
    const good = finalizeEvent({ kind: 7000, created_at: base, tags: [], content: "original" }, alice);
    const forged = { ...good, content: "tampered" }; // id no longer matches
    const badSig = { ...good, sig: good.sig.replace(/^./, good.sig[0] === "a" ? "b" : "a") };
    const answers = await rawExchange(
      server.url,
      [["EVENT", forged], ["EVENT", badSig], "not json", ["REQ", "x", { kinds: "nope" }]],
      4,
    );
    const oks = answers.filter((m) => m[0] === "OK");
    expect(oks.map((m) => m[2])).to.deep.equal([false, false]);
    expect(String(oks[0]?.[3])).to.match(/invalid/);
    expect(answers.filter((m) => m[0] === "NOTICE").length).to.equal(2);
  });

  it("keeps events across a restart (SQLite under the data dir)", async () => {
    const e = finalizeEvent(
      { kind: 5720, created_at: base + 50, tags: [["t", "persist"]], content: "persisted" },
      alice,
    );
    const r = await Relay.connect(server.url);
    await r.publish(e);
    r.close();
    await server.close();
    server = await startRelay({ dataDir: dir });
    const again = await Relay.connect(server.url);
    expect((await query(again, [{ "#t": ["persist"] }])).map((x) => x.id)).to.deep.equal([e.id]);
    again.close();
  });

  it("per-connection limits: EVENTs beyond the burst are rate-limited, a REQ beyond maxSubscriptions is CLOSED; other connections are unaffected", async () => {
    const limitedDir = await mkdtemp(join(tmpdir(), "fedstr-relay-limits-"));
    const limited = await startRelay({
      dataDir: limitedDir,
      limits: { eventsPerSecond: 0.001, eventBurst: 5, maxSubscriptions: 2 },
    }); // no refill within the test, however slow the machine
    try {
      const events = Array.from({ length: 8 }, (_, i) =>
        finalizeEvent({ kind: 1, created_at: base + i, tags: [], content: `flood ${i}` }, alice),
      );
      const oks = (
        await rawExchange(
          limited.url,
          events.map((e) => ["EVENT", e]),
          8,
        )
      ).filter((m) => m[0] === "OK");
      const okOf = new Map(oks.map((m) => [m[1], m]));
      expect(
        events.map((e) => okOf.get(e.id)?.[2]),
        "the burst passes, the rest is refused",
      ).to.deep.equal([true, true, true, true, true, false, false, false]);
      expect(String(okOf.get(events[7]!.id)?.[3])).to.match(
        /^rate-limited: more than 0.001 events per second \(burst 5\)/,
      );
      // A fresh connection has its own bucket, and the refused events were not stored.
      const other = await Relay.connect(limited.url);
      await other.publish(events[5]!);
      expect((await query(other, [{ kinds: [1] }])).map((e) => e.content).sort()).to.deep.equal([
        "flood 0",
        "flood 1",
        "flood 2",
        "flood 3",
        "flood 4",
        "flood 5",
      ]);
      other.close();

      const subs = await rawExchange(
        limited.url,
        [
          ["REQ", "a", { kinds: [1], limit: 1 }],
          ["REQ", "b", { kinds: [1], limit: 1 }],
          ["REQ", "c", { kinds: [1], limit: 1 }],
          ["REQ", "a", { kinds: [1], limit: 1 }],
          ["CLOSE", "b"],
          ["REQ", "d", { ids: [events[0]!.id] }],
        ],
        8,
      );
      expect(subs.filter((m) => m[0] === "CLOSED")).to.deep.equal([
        ["CLOSED", "c", "rate-limited: at most 2 subscriptions per connection"],
      ]);
      expect(
        subs.filter((m) => m[0] === "EOSE").map((m) => m[1]),
        "a re-sent REQ replaces its subscription; CLOSE frees a slot",
      ).to.deep.equal(["a", "b", "a", "d"]);
    } finally {
      await limited.close();
      await rm(limitedDir, { recursive: true, force: true });
    }
  });
});
