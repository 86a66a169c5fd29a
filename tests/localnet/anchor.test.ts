// `anchor test`, as the README tells a tester to type it, really runs the program suite on the
// project's local network: the anchor-cli 0.32.1 that `scripts/setup.sh --test` builds, in the
// repository, with Anchor.toml's test script. Only a free port (--provider.cluster) and a throw-away
// wallet (--provider.wallet, created by the script) are added, so parallel runs and the tester's own
// ~/.config/solana/id.json are left alone. No anchor binary is a failure, not a skip.

import { spawn } from "node:child_process";
import { existsSync, mkdtempSync } from "node:fs";
import { createServer } from "node:net";
import { homedir, tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { expect } from "chai";

const REPO = join(dirname(fileURLToPath(import.meta.url)), "../..");
const ANCHOR = join(process.env.FEDSTR_CACHE_DIR ?? join(homedir(), ".cache/fedstr"), "tools/bin/anchor");

/** A free port whose successor (the WebSocket port) is free too. */
async function freePortPair(): Promise<number> {
  const listen = (port: number) =>
    new Promise<number | undefined>((resolve) => {
      const s = createServer();
      s.once("error", () => resolve(undefined));
      s.listen(port, "127.0.0.1", () => {
        const p = (s.address() as { port: number }).port;
        s.close(() => resolve(p));
      });
    });
  for (;;) {
    const p = await listen(0);
    if (p !== undefined && p < 65535 && (await listen(p + 1)) !== undefined) return p;
  }
}

describe("anchor test: the program suite on the local network", function () {
  this.timeout(1_800_000);

  it("anchor test --skip-build --skip-deploy starts fedstr-localnet and passes the whole program suite there", async () => {
    expect(existsSync(ANCHOR), `${ANCHOR} is missing: run \`bash scripts/setup.sh --test\` (make test does)`).to.equal(
      true,
    );
    const port = await freePortPair();
    const wallet = join(mkdtempSync(join(tmpdir(), "fedstr-anchor-")), "id.json");
    const child = spawn(
      ANCHOR,
      [
        "test",
        "--skip-build",
        "--skip-deploy",
        "--provider.cluster",
        `http://127.0.0.1:${port}`,
        "--provider.wallet",
        wallet,
      ],
      {
        cwd: REPO,
        // The property test's steps are transactions over RPC here; LiteSVM runs the full count in CI.
        env: { ...process.env, FEDSTR_PROPERTY_STEPS: process.env.FEDSTR_PROPERTY_STEPS ?? "40" },
        stdio: ["ignore", "pipe", "pipe"],
      },
    );
    let out = "";
    child.stdout.on("data", (d: Buffer) => {
      out += d.toString();
      if (process.env.FEDSTR_TEST_LOG) process.stderr.write(d);
    });
    child.stderr.on("data", (d: Buffer) => {
      out += d.toString();
      if (process.env.FEDSTR_TEST_LOG) process.stderr.write(d);
    });
    const code = await new Promise<number | null>((resolve) => child.on("close", resolve));
    expect(code, out.slice(-3000)).to.equal(0);
    expect(out).to.include("Found a 'test' script in the Anchor.toml");
    expect(out).to.include(`starting the local network (fedstr-localnet) at http://127.0.0.1:${port}`);
    expect(out).to.include(`created the wallet ${wallet}`);
    expect(out).to.include("fedstr program: instructions");
    const totals = /mocha: (\d+) passed, (\d+) failed(.*)$/m.exec(out);
    expect(totals, "mocha's closing line").to.not.equal(null);
    expect(Number(totals![1])).to.be.greaterThan(20);
    expect(Number(totals![2])).to.equal(0);
    expect(totals![3], "no test skipped (the validator can travel in time)").to.equal("");
  });
});
