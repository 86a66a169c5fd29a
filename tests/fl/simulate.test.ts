import { spawnSync } from "node:child_process";
import { expect } from "chai";

describe("scripts/simulate.ts", function () {
  this.timeout(180_000);

  it("runs a short federation and prints one JSON object as the last line", () => {
    const r = spawnSync(
      process.execPath,
      [
        "--import",
        "tsx",
        "scripts/simulate.ts",
        "--rounds",
        "1",
        "--participants",
        "2",
        "--alpha",
        "1",
        "--seed",
        "3",
        "--json",
      ],
      { encoding: "utf8" },
    );
    expect(r.status, r.stderr).to.equal(0);
    const lines = r.stdout.trim().split("\n");
    const out = JSON.parse(lines[lines.length - 1]!);
    expect(out).to.include({ rounds: 1, participants: 2, alpha: 1, strategy: "fedavg", seed: 3 });
    expect(out.perRound).to.have.length(1);
    expect(out.final.accuracy).to.be.above(0.7);
    expect(out.final.weightsSha256).to.match(/^[0-9a-f]{64}$/);
    expect(r.stderr).to.match(/round/);
  });

  it("refuses bad flags with a message", () => {
    const r = spawnSync(process.execPath, ["--import", "tsx", "scripts/simulate.ts", "--strategy", "nope"], {
      encoding: "utf8",
    });
    expect(r.status).to.equal(2);
    expect(r.stderr).to.match(/unknown --strategy nope/);
  });
});
