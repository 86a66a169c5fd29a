// Both commands run from anywhere: installed globally from the repository's folders
// (`npm install -g ./client ./aggregator`, the same symlinks `npm link` makes) into a throw-away
// prefix, then started by name from a temporary directory outside the repository, with a HOME
// and PATH that hold nothing of the repository. The install must need no network: npm is given
// --offline and a registry on a closed port.

import { execFile } from "node:child_process";
import { mkdtempSync, realpathSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";
import { Keypair } from "@solana/web3.js";
import { expect } from "chai";

const REPO = join(dirname(fileURLToPath(import.meta.url)), "../..");
const run = promisify(execFile);

describe("fedstr and fedstr-aggregator: installed and run from outside the repository", function () {
  this.timeout(120_000);
  const prefix = mkdtempSync(join(tmpdir(), "fedstr-prefix-"));
  const outside = mkdtempSync(join(tmpdir(), "fedstr-anywhere-"));
  // Only the prefix's bin and the directory of node itself: no repository node_modules/.bin.
  const env = {
    PATH: `${join(prefix, "bin")}:${dirname(process.execPath)}:/usr/bin:/bin`,
    HOME: mkdtempSync(join(tmpdir(), "fedstr-home-")),
  };
  const cmd = (name: string, args: string[]) => run(name, args, { cwd: outside, env });

  before(async () => {
    await run(
      "npm",
      [
        "install",
        "-g",
        "--prefix",
        prefix,
        "--offline",
        "--registry",
        "http://127.0.0.1:9/",
        "--no-audit",
        "--no-fund",
        "./client",
        "./aggregator",
      ],
      { cwd: REPO },
    );
  });

  it("npm install -g puts both commands on the prefix's PATH, linked to this checkout", () => {
    for (const [bin, pkg] of [
      ["fedstr", "client"],
      ["fedstr-aggregator", "aggregator"],
    ] as const) {
      expect(realpathSync(join(prefix, "bin", bin))).to.equal(realpathSync(join(REPO, pkg, "bin", bin)));
    }
  });

  it("fedstr --help and a --json command work from a directory outside the repository", async () => {
    const help = await cmd("fedstr", ["--help"]);
    expect(help.stdout).to.match(/^fedstr — federated learning for rewards/);
    const json = await cmd("fedstr", ["plan", "templates", "--json"]);
    expect((JSON.parse(json.stdout) as { templates: { id: string }[] }).templates.map((t) => t.id)).to.include(
      "digits-mlp",
    );
  });

  it("fedstr-aggregator --help and identity --json work from a directory outside the repository", async () => {
    const help = await cmd("fedstr-aggregator", ["--help"]);
    expect(help.stdout).to.match(/^usage: fedstr-aggregator <command>/);
    const wallet = Keypair.generate();
    const file = join(outside, "aggregator.json");
    writeFileSync(file, JSON.stringify(Array.from(wallet.secretKey)));
    // identity needs no relay and no IPFS node: none is configured in that directory or HOME.
    const id = JSON.parse((await cmd("fedstr-aggregator", ["identity", "--wallet", file, "--json"])).stdout) as {
      wallet: string;
      nostrPubkey: string;
    };
    expect(id.wallet).to.equal(wallet.publicKey.toBase58());
    expect(id.nostrPubkey).to.match(/^[0-9a-f]{64}$/);
  });

  it("fedstr-aggregator run, which needs a relay, still says how to configure one when none is", async () => {
    const pool = Keypair.generate().publicKey.toBase58();
    const failed = await cmd("fedstr-aggregator", ["run", "--pool", pool, "--json"]).then(
      () => undefined,
      (e: { code: number; stderr: string; stdout: string }) => e,
    );
    expect(failed, "run without a relay must fail").to.not.equal(undefined);
    expect(failed!.code).to.not.equal(0);
    expect(failed!.stderr + failed!.stdout).to.match(/no Nostr relay configured: pass --relay/);
  });
});
