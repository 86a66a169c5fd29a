// The `fedstr train` checkpoint: atomic save/load, refusal of a damaged or foreign file, and the
// per-round decision that makes a restarted participant neither train nor commit twice.

import { mkdirSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { expect } from "chai";
import {
  CheckpointError,
  checkpointPath,
  entryOf,
  loadCheckpoint,
  saveCheckpoint,
  stepFor,
} from "../../client/src/state.js";

const ids = {
  pool: "Pool1111111111111111111111111111111111111111",
  wallet: "Wa11et11111111111111111111111111111111111111",
  jobId: "ab".repeat(32),
};
const sha = "cd".repeat(32);
const cid = "bafkreigh2akiscaildcqabsyg3dfr6chu3fgpregiymsck7e7aqa4s52zy";

describe("fedstr client: train checkpoint", () => {
  const dir = mkdtempSync(join(tmpdir(), "fedstr-client-state-"));

  it("lives under <dataDir>/client/<pool>/<wallet>.json", () => {
    expect(checkpointPath("/data", ids.pool, ids.wallet)).to.equal(`/data/client/${ids.pool}/${ids.wallet}.json`);
  });

  it("starts empty, and a saved checkpoint loads back unchanged (no temp file left behind)", () => {
    const path = checkpointPath(dir, ids.pool, ids.wallet);
    const c = loadCheckpoint(path, ids);
    expect(c).to.deep.equal({ version: 1, ...ids, rounds: {} });
    Object.assign(entryOf(c, 1), {
      cid,
      sha256: sha,
      samples: 300,
      metrics: { loss: 0.5 },
      committed: true,
      commitSignature: "sig",
      eventId: "ee".repeat(32),
    });
    entryOf(c, 2).skipped = "round 2 deadline passed";
    saveCheckpoint(path, c);
    expect(loadCheckpoint(path, ids)).to.deep.equal(c);
    expect(readdirSync(dirname(path))).to.deep.equal([`${ids.wallet}.json`]);
  });

  it("refuses a damaged file or one for another pool, wallet or job, naming the file", () => {
    const path = join(dir, "bad.json");
    const cases: [string, RegExp][] = [
      ["{not json", /not JSON/],
      [JSON.stringify({ version: 2, ...ids, rounds: {} }), /unknown version/],
      [
        JSON.stringify({ version: 1, ...ids, pool: "Other1111111111111111111111111111111111111", rounds: {} }),
        /for pool Other/,
      ],
      [JSON.stringify({ version: 1, ...ids, jobId: "00".repeat(32), rounds: {} }), /for job 0000/],
      [JSON.stringify({ version: 1, ...ids, rounds: { 1: { round: 2 } } }), /round 1 is malformed/],
      [JSON.stringify({ version: 1, ...ids, rounds: { 1: { round: 1, cid } } }), /cid without a sha256/],
      [JSON.stringify({ version: 1, ...ids, rounds: { 1: { round: 1, cid, sha256: "xyz" } } }), /round 1 sha256/],
    ];
    for (const [text, re] of cases) {
      writeFileSync(path, text);
      expect(() => loadCheckpoint(path, ids), text)
        .to.throw(CheckpointError, re)
        .with.property("message")
        .that.includes(path);
    }
  });

  it("is replaced atomically: an interrupted write (leftover temp file) does not disturb the last good state", () => {
    const path = checkpointPath(dir, "P2", ids.wallet);
    mkdirSync(dirname(path), { recursive: true });
    const c = loadCheckpoint(path, { ...ids, pool: "P2" });
    entryOf(c, 1).cid = cid;
    entryOf(c, 1).sha256 = sha;
    saveCheckpoint(path, c);
    writeFileSync(`${path}.tmp-99999`, "{half a fi"); // a crash between write and rename
    expect(JSON.parse(readFileSync(path, "utf8")).rounds["1"].cid).to.equal(cid);
    expect(loadCheckpoint(path, { ...ids, pool: "P2" }).rounds["1"]!.sha256).to.equal(sha);
  });

  describe("stepFor (what to do next in round r)", () => {
    const w = { start: 1000, deadline: 1100 };
    it("waits for the window, then trains", () => {
      expect(stepFor(1, 900, w, null, undefined)).to.deep.equal({ kind: "wait-start", until: 1000 });
      expect(stepFor(1, 1000, w, null, undefined)).to.deep.equal({ kind: "train" });
      expect(stepFor(1, 1099, w, null, { round: 1 })).to.deep.equal({ kind: "train" });
    });
    it("commits an update uploaded before a restart instead of training again", () => {
      expect(stepFor(1, 1050, w, null, { round: 1, cid, sha256: sha })).to.deep.equal({
        kind: "commit",
        cid,
        sha256: sha,
      });
    });
    it("reports the round missed once the window has closed without a commitment", () => {
      expect(stepFor(3, 1100, w, null, { round: 3, cid, sha256: sha })).to.deep.equal({
        kind: "missed",
        reason: "round 3 deadline passed",
      });
    });
    it("publishes a committed update whose result did not go out — also after the window closed", () => {
      expect(stepFor(1, 1050, w, { cid, sha256: sha }, { round: 1, cid, sha256: sha, committed: true })).to.deep.equal({
        kind: "publish",
        cid,
        sha256: sha,
      });
      expect(stepFor(1, 5000, w, { cid, sha256: sha }, undefined)).to.deep.equal({ kind: "publish", cid, sha256: sha });
    });
    it("takes the chain's commitment over a checkpoint that disagrees", () => {
      const other = "ef".repeat(32);
      expect(stepFor(1, 1050, w, { cid, sha256: sha }, { round: 1, cid, sha256: other, eventId: "e" })).to.deep.equal({
        kind: "publish",
        cid,
        sha256: sha,
      });
    });
    it("waits for the aggregator once committed and published", () => {
      expect(
        stepFor(1, 1050, w, { cid, sha256: sha }, { round: 1, cid, sha256: sha, committed: true, eventId: "e" }),
      ).to.deep.equal({ kind: "wait-post" });
    });
  });
});
