/**
 * The aggregator's prefetch of a round's updates (what it fetches while the round collects) against
 * a real embedded IPFS node: what it hands over is hash-checked, a CID whose bytes are not the
 * committed ones is a final mismatch, anything it could not get or no longer trusts is left to the
 * aggregation's own fetch, and closing removes what it stored.
 */
import { createHash } from "node:crypto";
import { existsSync, readdirSync, writeFileSync } from "node:fs";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { type ContentStore, computeCid, HeliaStore } from "@fedstr/sdk/storage";
import { expect } from "chai";
import { UpdatePrefetch } from "../../aggregator/src/prefetch.js";

const sha = (b: Uint8Array) => createHash("sha256").update(b).digest("hex");
const update = (seed: number) => Uint8Array.from({ length: 70_000 }, (_, i) => (i * seed + (i >> 9)) & 0xff);

describe("aggregator: updates fetched while the round collects", () => {
  let dir: string;
  let store: HeliaStore;
  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), "fedstr-prefetch-"));
    store = await HeliaStore.open({ dataDir: join(dir, "ipfs") });
  });
  afterEach(async () => {
    await store.close();
    await rm(dir, { recursive: true, force: true });
  });

  it("hands over hash-checked bytes, reports a CID with other bytes as a mismatch, leaves the rest to the caller", async () => {
    const honest = update(3),
      other = update(5);
    const honestCid = (await store.put(honest)).toString();
    const otherCid = (await store.put(other)).toString();
    const missingCid = (await computeCid(update(7))).toString();
    const spool = join(dir, "updates-1");
    const pre = new UpdatePrefetch(store, 1, spool);
    const commitments = [
      { participant: "honest", cid: honestCid, sha256: sha(honest), samples: 10 },
      // Committed the hash of `honest` but points at other bytes: the hash cheat.
      { participant: "cheat", cid: otherCid, sha256: sha(honest), samples: 10 },
      { participant: "missing", cid: missingCid, sha256: sha(update(7)), samples: 10 },
    ];
    pre.add(commitments);
    pre.add(commitments); // asking again fetches nothing twice

    const got = await pre.take(commitments[0]!);
    expect(got).to.have.property("bytes");
    expect(Buffer.from((got as { bytes: Uint8Array }).bytes).equals(Buffer.from(honest))).to.equal(true);
    expect(await pre.take(commitments[1]!)).to.deep.equal({ mismatch: sha(other) });
    expect(pre.mismatchOf(commitments[1]!)).to.equal(sha(other));
    expect(pre.mismatchOf(commitments[0]!)).to.equal(undefined);
    expect(await pre.take(commitments[2]!)).to.equal(undefined);
    // A commitment it was never given: nothing, at once.
    expect(await pre.take({ participant: "stranger", cid: honestCid, sha256: sha(honest) })).to.equal(undefined);
    expect(readdirSync(spool)).to.deep.equal([sha(honest)]);

    await pre.close();
    expect(existsSync(spool)).to.equal(false);
  });

  it("does not hand over a stored update whose file changed on disk", async () => {
    const bytes = update(11);
    const c = { participant: "p", cid: (await store.put(bytes)).toString(), sha256: sha(bytes), samples: 1 };
    const spool = join(dir, "updates-2");
    const pre = new UpdatePrefetch(store, 2, spool);
    pre.add([c]);
    expect(await pre.take(c)).to.have.property("bytes");
    writeFileSync(join(spool, c.sha256), update(13));
    expect(await pre.take(c)).to.equal(undefined);
    await pre.close();
  });

  it("fetches `concurrency` at a time, and a commitment taken while still queued is dropped, not fetched", async () => {
    const updates = [update(17), update(19), update(23)];
    const cs = await Promise.all(
      updates.map(async (u, i) => ({
        participant: `p${i}`,
        cid: (await store.put(u)).toString(),
        sha256: sha(u),
        samples: 1,
      })),
    );
    const fetched: string[] = [];
    let inFlight = 0,
      most = 0;
    const counting: ContentStore = {
      ...store,
      kind: store.kind,
      put: (b, o) => store.put(b, o),
      close: () => Promise.resolve(),
      get: async (cid, o) => {
        fetched.push(cid.toString());
        most = Math.max(most, ++inFlight);
        try {
          return await store.get(cid, o);
        } finally {
          inFlight--;
        }
      },
    };
    const pre = new UpdatePrefetch(counting, 3, join(dir, "updates-3"), 1);
    pre.add(cs);
    expect(await pre.take(cs[2]!)).to.equal(undefined);
    expect(await pre.take(cs[0]!)).to.have.property("bytes");
    expect(await pre.take(cs[1]!)).to.have.property("bytes");
    expect(fetched).to.deep.equal([cs[0]!.cid, cs[1]!.cid]);
    expect(most).to.equal(1);
    await pre.close();
  });
});
