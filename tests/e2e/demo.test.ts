/**
 * The main job as a newcomer runs it: `npm run demo -- --json` (separate processes for the
 * organization, every participant and the aggregator, on the embedded localnet). Its final JSON
 * must show every round, a learning model, a reward for every participant and funds that balance
 * to the token unit.
 */

import { spawn } from "node:child_process";
import { mkdtempSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { expect } from "chai";
import { REPO_ROOT } from "../../scripts/lib/actors.js";
import { outputOf } from "../client/helpers.js";

interface DemoSummary {
  rounds: number;
  accuracy: number[];
  perRound: { round: number; accepted: number; rejected: number; rewardPaid: string }[];
  rewards: Record<string, string>;
  funds: {
    funded: string;
    claimed: string;
    refunded: string;
    escrowLeft: string;
    vaultLeft: string;
    stakesReturned: boolean;
    balanced: boolean;
    participants: { ok: boolean }[];
  };
  chart: string;
}

describe("npm run demo (end to end on the localnet)", function () {
  this.timeout(600_000);

  it("trains 5 participants for 5 rounds, pays every one of them and reconciles funded = claimed + refunded", async () => {
    const out = mkdtempSync(join(tmpdir(), "fedstr-demo-"));
    const child = spawn(process.execPath, ["--import", "tsx", "scripts/demo.ts", "--json", "--out", out], {
      cwd: REPO_ROOT,
      stdio: ["ignore", "pipe", "pipe"],
    });
    const { code, stdout, stderr } = await outputOf(child);
    expect(code, stderr.split("\n").slice(-15).join("\n")).to.equal(0);
    const lines = stdout.trim().split("\n");
    const s = JSON.parse(lines[lines.length - 1]!) as DemoSummary;

    expect(s.rounds).to.equal(5);
    expect(s.perRound.map((r) => r.accepted)).to.deep.equal([5, 5, 5, 5, 5]);
    expect(s.accuracy[s.accuracy.length - 1]!, "final holdout accuracy").to.be.greaterThan(0.8);
    expect(s.accuracy[s.accuracy.length - 1]!, "the model improves over round 1").to.be.greaterThan(s.accuracy[0]!);
    expect(
      Object.values(s.rewards).every((r) => BigInt(r) > 0n),
      "every participant earned",
    ).to.equal(true);
    const f = s.funds;
    expect(BigInt(f.funded)).to.equal(BigInt(f.claimed) + BigInt(f.refunded));
    expect([f.escrowLeft, f.vaultLeft]).to.deep.equal(["0", "0"]);
    expect(f.stakesReturned).to.equal(true);
    expect(
      f.participants.every((p) => p.ok),
      "each participant's balance changed by exactly its rewards",
    ).to.equal(true);
    expect(f.balanced).to.equal(true);
    expect(readFileSync(s.chart, "utf8")).to.match(/^<svg[^>]*>[\s\S]*<polyline[\s\S]*<\/svg>\n$/);
  });
});
