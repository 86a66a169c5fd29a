/**
 * The aggregator's checkpoint: atomic writes (a writer killed with SIGKILL at random moments never
 * leaves a torn file), refusal of foreign or corrupt files, and the resume decision per round from
 * the checkpoint's phase and the chain's RoundResult.
 */
import { expect } from "chai";
import { spawn } from "node:child_process";
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import {
  checkpointPath, emptyCheckpoint, loadCheckpoint, resumeAction, saveCheckpoint, writeFileAtomic,
  type AggregatedRecord, type RoundCheckpoint,
} from "../../aggregator/src/checkpoint.js";

const POOL = "4Nd1mBQtrMJVYVfKf2PJy9NZUZdTAsp7D4xWLs4gDB4T";
const IDS = { programId: "HPL8rLF6dDMnKundRabHm7BUGdDdEUUV6vmYpurC3gps", aggregator: "9xQeWvG816bUx9EPjHmaT23yvVM2ZWbrrpZb9PusVFin" };
const MODEL = { cid: "bafkreigh2akiscaildcqabsyg3dfr6chu3fgpregiymsck7e7aqa4s52zy", sha256: "ab".repeat(32) };

const aggregated = (): AggregatedRecord => ({
  model: MODEL, report: MODEL, root: "00".repeat(32), reward: "0", metric: "0", acceptedCount: 0, metrics: {},
  accepted: [], rejected: [], feedback: [],
});
const round = (phase: RoundCheckpoint["phase"], n = 3, withAgg = phase !== "collected"): RoundCheckpoint => ({
  round: n, phase, candidates: [], slashes: [], ...(withAgg ? { aggregated: aggregated() } : {}),
});

describe("aggregator: checkpoint", () => {
  let dir: string;
  beforeEach(() => { dir = mkdtempSync(join(tmpdir(), "fedstr-agg-cp-")); });
  afterEach(() => { rmSync(dir, { recursive: true, force: true }); });

  it("round-trips and refuses a checkpoint of another pool, program or aggregator, or a corrupt file", () => {
    const cp = emptyCheckpoint(POOL, IDS.programId, IDS.aggregator);
    cp.rounds["1"] = round("posted", 1);
    saveCheckpoint(dir, cp);
    expect(loadCheckpoint(dir, POOL, IDS)).to.deep.equal(cp);
    expect(loadCheckpoint(dir, "11111111111111111111111111111111", IDS)).to.equal(undefined);
    expect(() => loadCheckpoint(dir, POOL, { ...IDS, aggregator: "other" })).to.throw(/written by aggregator/);
    expect(() => loadCheckpoint(dir, POOL, { ...IDS, programId: "other" })).to.throw(/for program/);
    writeFileSync(checkpointPath(dir, POOL), "{\"format\": \"fedstr/aggregator-checkpoint\", ");
    expect(() => loadCheckpoint(dir, POOL, IDS)).to.throw(/is not JSON.*move it away/);
    cp.rounds["1"]!.phase = "bogus" as never;
    writeFileSync(checkpointPath(dir, POOL), JSON.stringify(cp));
    expect(() => loadCheckpoint(dir, POOL, IDS)).to.throw(/phase "bogus"/);
  });

  it("a writer killed (SIGKILL) at random moments always leaves a whole checkpoint, old or new", async function () {
    this.timeout(120_000);
    const file = join(dir, "state.json");
    // A child rewrites a ~2 MB file as fast as it can, each version a different, self-checking JSON.
    const child = `
      import { writeFileAtomic } from ${JSON.stringify(fileURLToPath(new URL("../../aggregator/src/checkpoint.ts", import.meta.url)))};
      const pad = "x".repeat(2_000_000);
      for (let v = 0; ; v++) writeFileAtomic(${JSON.stringify(file)}, JSON.stringify({ v, pad, check: v * 7 }));
    `;
    writeFileAtomic(file, JSON.stringify({ v: -1, pad: "", check: -7 }));
    const versions = new Set<number>();
    for (let i = 0; i < 8; i++) {
      const p = spawn(process.execPath, ["--import", "tsx", "--input-type=module", "-e", child], { stdio: "ignore" });
      await new Promise((r) => setTimeout(r, 600 + Math.floor(Math.random() * 400)));
      p.kill("SIGKILL");
      await new Promise((r) => p.once("exit", r));
      const j = JSON.parse(readFileSync(file, "utf8")) as { v: number; check: number; pad: string };
      expect(j.check, "the file is one whole version").to.equal(j.v * 7);
      versions.add(j.v);
    }
    expect(versions.size, "the child really was rewriting the file when killed").to.be.greaterThan(1);
    // Leftover temporary files are harmless (never read) and never replace state.json.
    expect(readdirSync(dir).filter((f) => f === "state.json")).to.have.length(1);
  });

  describe("resume decision for a round (checkpoint phase × chain)", () => {
    const onChain = { modelSha256: MODEL.sha256 };
    const other = { modelSha256: "cd".repeat(32) };
    const cases: [string, RoundCheckpoint | undefined, { modelSha256: string } | null, string][] = [
      ["nothing recorded, not on chain", undefined, null, "collect"],
      ["collected, not on chain", round("collected"), null, "aggregate"],
      ["aggregated, not on chain", round("aggregated"), null, "post"],
      ["aggregated, on chain with our model (killed after sending, before recording)", round("aggregated"), onChain, "feedback"],
      ["posted, on chain", round("posted"), onChain, "feedback"],
      ["feedback sent, on chain", round("feedback-sent"), onChain, "done"],
      ["nothing recorded, on chain (checkpoint lost)", undefined, onChain, "posted-elsewhere"],
      ["collected, on chain (posted by an earlier run without this checkpoint)", round("collected"), onChain, "posted-elsewhere"],
      ["aggregated, on chain with another model", round("aggregated"), other, "conflict"],
      ["posted, but the chain has no RoundResult", round("posted"), null, "conflict"],
    ];
    for (const [name, rc, chain, expected] of cases) {
      it(`${name} → ${expected}`, () => {
        const a = resumeAction(rc, chain);
        expect(a.kind).to.equal(expected);
        if (a.kind === "feedback") expect(a.reconciled, "reconciled = the post is not in the checkpoint yet").to.equal(rc!.phase === "aggregated");
      });
    }
    it("never answers 'post' when the chain already has the round", () => {
      for (const phase of ["collected", "aggregated", "posted", "feedback-sent"] as const) {
        for (const chain of [onChain, other]) expect(resumeAction(round(phase), chain).kind).to.not.equal("post");
      }
      expect(resumeAction(undefined, onChain).kind).to.not.equal("post");
    });
  });
});
