// The real `fedstr` binary as a child process: usage mistakes exit 2, refusals exit 1, both with a
// message naming what was wrong (stderr, or {"error": ...} on stdout with --json); results and
// errors in --json mode are the only thing on stdout. No network is needed for these checks:
// every one is refused before a connection is opened.

import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { DataError, digitsPlan, encode, hashBytes, toHex, type Weights } from "@fedstr/sdk/fl";
import { expect } from "chai";
import { loadData } from "../../client/src/commands/train.js";
import { fedstr, jsonError } from "./helpers.js";

const POOL = "7Xh4P2sJrXUkGXUrFv8gBQ8u1X3gk9VqzQ6N6sWk9FhT";

describe("fedstr client: command line", function () {
  this.timeout(120_000);
  const dir = mkdtempSync(join(tmpdir(), "fedstr-cli-files-"));

  it("prints the command list with no arguments or --help, exit 0", async () => {
    const r = await fedstr(["--help"]);
    expect(r.code).to.equal(0);
    for (const c of [
      "pools",
      "join",
      "train",
      "status",
      "claim",
      "withdraw",
      "verify",
      "pool create",
      "pool cancel",
      "pool finalize",
      "pool expire",
    ])
      expect(r.stdout).to.include(`fedstr ${c}`);
  });

  it("refuses an unknown command or pool subcommand with exit 2", async () => {
    const a = await fedstr(["frobnicate"]);
    expect(a.code).to.equal(2);
    expect(a.stderr).to.match(/unknown command "frobnicate"/);
    const b = await fedstr(["pool", "destroy", POOL]);
    expect(b.code).to.equal(2);
    expect(b.stderr).to.match(/unknown pool subcommand "destroy" \(expected create, cancel, finalize, expire\)/);
  });

  it("names a missing argument, an unknown flag and a pool that is not a Solana address (exit 2; JSON error on stdout with --json)", async () => {
    const missing = await fedstr(["join"]);
    expect(missing.code).to.equal(2);
    expect(missing.stderr).to.match(/expected <pool>, got none/);
    const flag = await fedstr(["status", POOL, "--frob"]);
    expect(flag.code).to.equal(2);
    expect(flag.stderr).to.match(/--frob/);
    const bad = await fedstr(["claim", "not-an-address", "--json"]);
    expect(bad.code).to.equal(2);
    expect(bad.stderr).to.equal("");
    expect(jsonError(bad.stdout)).to.deep.equal({
      name: "UsageError",
      message: 'pool is not a Solana address: "not-an-address"',
    });
  });

  it("checks train's flags before anything else: data file type and existence, backend", async () => {
    const ext = await fedstr(["train", POOL, "--data", "data.txt"]);
    expect([ext.code, ext.stderr]).to.satisfy(
      ([c, e]: [number, string]) => c === 2 && /--data must be a \.csv or \.jsonl file/.test(e),
    );
    const noData = await fedstr(["train", POOL]);
    expect(noData.code).to.equal(2);
    expect(noData.stderr).to.match(/--data <file.csv\|file.jsonl> is required/);
    const gone = await fedstr(["train", POOL, "--data", join(dir, "nope.csv"), "--json"]);
    expect(gone.code).to.equal(1);
    expect(jsonError(gone.stdout)).to.deep.include({ name: "BadInput" });
    expect(jsonError(gone.stdout).message).to.match(/data file .*nope\.csv does not exist/);
    writeFileSync(join(dir, "d.csv"), "1,2\n");
    const backend = await fedstr(["train", POOL, "--data", join(dir, "d.csv"), "--backend", "gpu"]);
    expect(backend.code).to.equal(2);
    expect(backend.stderr).to.match(/--backend must be one of wasm, cpu, node, node-gpu/);
  });

  it("reports a missing wallet file clearly (exit 1)", async () => {
    const r = await fedstr([
      "status",
      POOL,
      "--wallet",
      join(dir, "no-wallet.json"),
      "--relay",
      "ws://127.0.0.1:9",
      "--ipfs-url",
      "http://127.0.0.1:9",
      "--json",
    ]);
    expect(r.code).to.equal(1);
    expect(jsonError(r.stdout)).to.deep.equal({
      name: "ConfigError",
      message: `wallet ${join(dir, "no-wallet.json")} does not exist (give one with --wallet, or create it with solana-keygen new)`,
    });
  });

  describe("pool create input checks (before any transaction)", () => {
    const terms = [
      "--reward",
      "100",
      "--min-stake",
      "10",
      "--rounds",
      "2",
      "--round-seconds",
      "30",
      "--join-seconds",
      "30",
    ];
    // A two-layer model whose hidden layer is 32 wide, while the digits plan's is 64.
    const narrow: Weights = [
      { name: "dense_1/kernel", dtype: "float32", shape: [784, 32], values: new Float32Array(784 * 32) },
      { name: "dense_1/bias", dtype: "float32", shape: [32], values: new Float32Array(32) },
      { name: "dense_2/kernel", dtype: "float32", shape: [32, 10], values: new Float32Array(320) },
      { name: "dense_2/bias", dtype: "float32", shape: [10], values: new Float32Array(10) },
    ];
    const narrowBytes = encode(narrow);
    const planFor = (sha: string) => {
      const f = join(dir, `plan-${sha.slice(0, 8)}.json`);
      writeFileSync(f, JSON.stringify(digitsPlan(sha)));
      return f;
    };

    // `fedstr pool create` with a plan and model file named (not read: the checks come first) and these flags.
    const createWith = (flags: string[]) =>
      fedstr(["pool", "create", "--plan", "p.json", "--model", "m.fstw", ...flags]);

    it("requires the terms and checks their ranges (exit 2)", async () => {
      const none = await fedstr(["pool", "create"]);
      expect(none.code).to.equal(2);
      expect(none.stderr).to.match(/--plan is required/);
      const rounds = await createWith([
        ...terms.slice(0, 4),
        "--rounds",
        "0",
        "--round-seconds",
        "30",
        "--join-seconds",
        "30",
      ]);
      expect(rounds.code).to.equal(2);
      expect(rounds.stderr).to.match(/--rounds must be an integer from 1 to 256, got "0"/);
      const privacy = await createWith([...terms, "--privacy", "secret"]);
      expect(privacy.code).to.equal(2);
      expect(privacy.stderr).to.match(/--privacy must be sealed or public/);
      const agg = await createWith([...terms, "--aggregator-nostr", "XYZ"]);
      expect(agg.code).to.equal(2);
      expect(agg.stderr).to.match(/--aggregator-nostr must be a Nostr pubkey/);
    });

    it("refuses an invalid plan, naming the field", async () => {
      const f = join(dir, "bad-plan.json");
      writeFileSync(
        f,
        JSON.stringify({
          ...digitsPlan("00".repeat(32)),
          training: { ...digitsPlan("00".repeat(32)).training, batchSize: 0 },
        }),
      );
      const r = await fedstr(["pool", "create", "--plan", f, "--model", join(dir, "m.fstw"), ...terms, "--json"]);
      expect(r.code).to.equal(1);
      expect(jsonError(r.stdout)).to.deep.include({ name: "PlanError" });
      expect(jsonError(r.stdout).message).to.match(/invalid training plan: plan\.training\.batchSize/);
    });

    it("refuses a model that is not FSTW, that is not the plan's initial weights, or that does not fit the plan's topology", async () => {
      const garbage = join(dir, "garbage.fstw");
      writeFileSync(garbage, "not weights");
      const plan = planFor(toHex(hashBytes(narrowBytes)));
      const a = await fedstr(["pool", "create", "--plan", plan, "--model", garbage, ...terms, "--json"]);
      expect(a.code).to.equal(1);
      expect(jsonError(a.stdout)).to.deep.include({ name: "ModelMismatch" });
      expect(jsonError(a.stdout).message).to.match(/garbage\.fstw is not FSTW weights/);

      const other = join(dir, "other.fstw");
      writeFileSync(other, encode(narrow.map((t) => ({ ...t, values: t.values.map(() => 1) }))));
      const b = await fedstr(["pool", "create", "--plan", plan, "--model", other, ...terms, "--json"]);
      expect(b.code).to.equal(1);
      expect(jsonError(b.stdout).message).to.match(
        /other\.fstw has sha256 [0-9a-f]{64}, the plan's model\.initialWeights\.sha256 is /,
      );

      const model = join(dir, "narrow.fstw");
      writeFileSync(model, narrowBytes);
      const c = await fedstr(["pool", "create", "--plan", plan, "--model", model, ...terms, "--json"]);
      expect(c.code).to.equal(1);
      expect(jsonError(c.stdout)).to.deep.equal({
        name: "ModelMismatch",
        message: `model ${model} does not fit the plan's topology: tensor dense_1/kernel has shape [784,32], the plan's topology [784,64]`,
      });
    });
  });

  describe("training data against the plan's schema (loadData)", () => {
    const plan = digitsPlan("00".repeat(32));
    it("names the file, the line and the expected schema when a row does not fit", () => {
      const f = join(dir, "short.csv");
      writeFileSync(f, `${Array(784).fill("0.5").join(",")},3\n${Array(10).fill("0").join(",")},1\n`);
      expect(() => loadData(f, plan)).to.throw(
        DataError,
        /short\.csv:2: expected 785 columns \(784 features \+ 1 labels\), got 11 \(the plan's data schema: features \[784\] float32, labels \[\] int32\)/,
      );
    });
    it("refuses a sample count outside the plan's validation bounds", () => {
      const f = join(dir, "few.jsonl");
      writeFileSync(f, `${JSON.stringify({ x: Array(784).fill(0), y: 1 })}\n`);
      const strict = digitsPlan("00".repeat(32), { validation: { maxDeltaNorm: 100, minSamples: 5, maxSamples: 100 } });
      expect(() => loadData(f, strict)).to.throw(/has 1 samples; the plan accepts updates from 5 to 100 samples/);
      expect(loadData(f, plan).length).to.equal(1);
    });
  });
});
