/**
 * The aggregator's checkpoint: atomic writes (a writer killed with SIGKILL at random moments never
 * leaves a torn file), refusal of foreign or corrupt files, and the resume decision per round from
 * the checkpoint's phase and the chain's RoundResult.
 */

import { spawn } from "node:child_process";
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { writeFileAtomic } from "@fedstr/sdk/cli";
import { expect } from "chai";
import {
  type AggregatedRecord,
  checkpointPath,
  emptyCheckpoint,
  loadCheckpoint,
  type RoundCheckpoint,
  resultsJournalPath,
  resumeAction,
  saveCheckpoint,
} from "../../aggregator/src/checkpoint.js";

const POOL = "4Nd1mBQtrMJVYVfKf2PJy9NZUZdTAsp7D4xWLs4gDB4T";
const IDS = {
  programId: "HPL8rLF6dDMnKundRabHm7BUGdDdEUUV6vmYpurC3gps",
  aggregator: "9xQeWvG816bUx9EPjHmaT23yvVM2ZWbrrpZb9PusVFin",
};
const MODEL = { cid: "bafkreigh2akiscaildcqabsyg3dfr6chu3fgpregiymsck7e7aqa4s52zy", sha256: "ab".repeat(32) };

const aggregated = (): AggregatedRecord => ({
  model: MODEL,
  report: MODEL,
  root: "00".repeat(32),
  reward: "0",
  metric: "0",
  acceptedCount: 0,
  metrics: {},
  accepted: [],
  rejected: [],
  feedback: [],
});
const round = (phase: RoundCheckpoint["phase"], n = 3, withAgg = phase !== "collected"): RoundCheckpoint => ({
  round: n,
  phase,
  candidates: [],
  slashes: [],
  ...(withAgg ? { aggregated: aggregated() } : {}),
});

describe("aggregator: checkpoint", () => {
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), "fedstr-agg-cp-"));
  });
  afterEach(() => {
    rmSync(dir, { recursive: true, force: true });
  });

  it("round-trips and refuses a checkpoint of another pool, program or aggregator, or a corrupt file", () => {
    const cp = emptyCheckpoint(POOL, IDS.programId, IDS.aggregator);
    cp.rounds["1"] = round("posted", 1);
    saveCheckpoint(dir, cp);
    expect(loadCheckpoint(dir, POOL, IDS)).to.deep.equal(cp);
    expect(loadCheckpoint(dir, "11111111111111111111111111111111", IDS)).to.equal(undefined);
    expect(() => loadCheckpoint(dir, POOL, { ...IDS, aggregator: "other" })).to.throw(/written by aggregator/);
    expect(() => loadCheckpoint(dir, POOL, { ...IDS, programId: "other" })).to.throw(/for program/);
    writeFileSync(checkpointPath(dir, POOL), '{"format": "fedstr/aggregator-checkpoint", ');
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
      import { writeFileAtomic } from ${JSON.stringify(fileURLToPath(new URL("../../sdk/src/cli/files.ts", import.meta.url)))};
      const pad = "x".repeat(2_000_000);
      for (let v = 0; ; v++) writeFileAtomic(${JSON.stringify(file)}, JSON.stringify({ v, pad, check: v * 7 }));
    `;
    writeFileAtomic(file, JSON.stringify({ v: -1, pad: "", check: -7 }));
    const versions = new Set<number>();
    const version = () => (JSON.parse(readFileSync(file, "utf8")) as { v: number }).v;
    for (let i = 0; i < 8; i++) {
      const before = version();
      const p = spawn(process.execPath, ["--import", "tsx", "--input-type=module", "-e", child], { stdio: "ignore" });
      // Kill at a random moment once the child is writing (its start-up takes long on a busy machine).
      for (const until = Date.now() + 60_000; version() === before && Date.now() < until; )
        await new Promise((r) => setTimeout(r, 20));
      await new Promise((r) => setTimeout(r, 50 + Math.floor(Math.random() * 400)));
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

  it("a results journal appender killed (SIGKILL) at random moments loses no whole line and never breaks loading", async function () {
    this.timeout(120_000);
    saveCheckpoint(dir, emptyCheckpoint(POOL, IDS.programId, IDS.aggregator));
    const journal = resultsJournalPath(dir, POOL, 1);
    // A child keeps results as fast as it can (each one fsynced): distinct wallets, so no cap applies.
    const child = (from: number) => `
      import { emptyCheckpoint, keepResult } from ${JSON.stringify(fileURLToPath(new URL("../../aggregator/src/checkpoint.ts", import.meta.url)))};
      const cp = emptyCheckpoint(${JSON.stringify(POOL)}, "p", "a");
      for (let i = ${from}; ; i++) keepResult(${JSON.stringify(dir)}, cp, { participant: "w" + i, nostrPubkey: "n", eventId: i.toString(16).padStart(64, "0"), createdAt: i, round: 1, cid: "c", sha256: "s".repeat(64), samples: i, metrics: { pad: i } });
    `;
    let kept = 0;
    for (let i = 0; i < 5; i++) {
      const p = spawn(
        process.execPath,
        ["--import", "tsx", "--input-type=module", "-e", child(kept * 1000 + i * 1_000_000)],
        { stdio: "ignore" },
      );
      const lines = () => (existsSync(journal) ? readFileSync(journal, "utf8").split("\n").length - 1 : 0); // read only: loading would cut the child's line in flight
      for (const until = Date.now() + 60_000; lines() <= kept && Date.now() < until; )
        await new Promise((r) => setTimeout(r, 20));
      await new Promise((r) => setTimeout(r, 20 + Math.floor(Math.random() * 200)));
      p.kill("SIGKILL");
      await new Promise((r) => p.once("exit", r));
      const results = loadCheckpoint(dir, POOL, IDS)!.results["1"]!; // cuts a torn tail off
      expect(results.length, "the child really appended").to.be.greaterThan(kept);
      for (const r of results) expect(r.metrics.pad, "every line is one whole result").to.equal(r.samples);
      expect(readFileSync(journal, "utf8").endsWith("\n"), "the journal ends on a whole line after loading").to.equal(
        true,
      );
      kept = results.length;
    }
  });

  describe("resume decision for a round (checkpoint phase × chain)", () => {
    const onChain = { modelSha256: MODEL.sha256 };
    const other = { modelSha256: "cd".repeat(32) };
    const cases: [string, RoundCheckpoint | undefined, { modelSha256: string } | null, string][] = [
      ["nothing recorded, not on chain", undefined, null, "collect"],
      ["collected, not on chain", round("collected"), null, "aggregate"],
      ["aggregated, not on chain", round("aggregated"), null, "post"],
      [
        "aggregated, on chain with our model (killed after sending, before recording)",
        round("aggregated"),
        onChain,
        "feedback",
      ],
      ["posted, on chain", round("posted"), onChain, "feedback"],
      ["feedback sent, on chain", round("feedback-sent"), onChain, "done"],
      ["nothing recorded, on chain (checkpoint lost)", undefined, onChain, "posted-elsewhere"],
      [
        "collected, on chain (posted by an earlier run without this checkpoint)",
        round("collected"),
        onChain,
        "posted-elsewhere",
      ],
      ["aggregated, on chain with another model", round("aggregated"), other, "conflict"],
      ["posted, but the chain has no RoundResult", round("posted"), null, "conflict"],
    ];
    for (const [name, rc, chain, expected] of cases) {
      it(`${name} → ${expected}`, () => {
        const a = resumeAction(rc, chain);
        expect(a.kind).to.equal(expected);
        if (a.kind === "feedback")
          expect(a.reconciled, "reconciled = the post is not in the checkpoint yet").to.equal(
            rc!.phase === "aggregated",
          );
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
