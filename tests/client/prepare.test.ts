// What an organization prepares before its first pool, with the real `fedstr` binary and no
// network: a plan from a template with its seeded initial weights (`plan templates`, `plan init`)
// and example data shards of the bundled digits (`data shards`). Files are read back with the
// SDK's own parsers, as `pool create`, `train` and the aggregator read them.

import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import {
  classOf,
  decode,
  hashBytes,
  inspectTopology,
  loadJsonl,
  PLAN_TEMPLATES,
  parsePlan,
  toHex,
} from "@fedstr/sdk/fl";
import { expect } from "chai";
import { fedstr, jsonError } from "./helpers.js";

const fresh = () => mkdtempSync(join(tmpdir(), "fedstr-prepare-"));

describe("fedstr client: plan templates, plan init, data shards", function () {
  this.timeout(120_000);

  it("plan templates lists the SDK's templates with their parameter counts", async () => {
    const r = await fedstr(["plan", "templates", "--json"]);
    expect(r.code).to.equal(0);
    const { templates } = JSON.parse(r.stdout) as { templates: { id: string; parameters: number }[] };
    expect(templates.map((t) => t.id)).to.deep.equal(PLAN_TEMPLATES.map((t) => t.id));
    expect(templates.find((t) => t.id === "digits-mlp")!.parameters).to.equal(784 * 64 + 64 + 64 * 10 + 10);
    const human = await fedstr(["plan", "templates"]);
    for (const t of PLAN_TEMPLATES) expect(human.stdout).to.include(t.id);
  });

  it("plan init writes a valid plan naming the sha256 of the weights it writes; seeded; refuses to overwrite", async () => {
    const dir = fresh();
    const r = await fedstr(
      ["plan", "init", "--template", "digits-mlp", "--seed", "3", "--out", "p.json", "--model-out", "m.fstw", "--json"],
      { cwd: dir },
    );
    expect(r.code, r.stdout + r.stderr).to.equal(0);
    const made = JSON.parse(r.stdout) as {
      plan: string;
      model: string;
      sha256: string;
      parameters: number;
      seed: number;
    };
    expect(made.plan).to.equal(join(dir, "p.json"));
    const plan = parsePlan(readFileSync(made.plan));
    const model = readFileSync(made.model);
    expect(plan.name).to.equal("digits-mlp");
    expect(toHex(hashBytes(model))).to.equal(made.sha256);
    expect(plan.model.initialWeights.sha256).to.equal(made.sha256);
    expect(decode(model).reduce((n, w) => n + w.values.length, 0)).to.equal(
      inspectTopology(plan.model.topology).parameters,
    );

    const again = await fedstr(
      ["plan", "init", "--template", "digits-mlp", "--seed", "3", "--out", "p.json", "--model-out", "m.fstw", "--json"],
      { cwd: dir },
    );
    expect(again.code).to.equal(1);
    expect(jsonError(again.stdout)).to.deep.equal({
      name: "BadInput",
      message: `${join(dir, "p.json")}, ${join(dir, "m.fstw")} already exist (pass --force to overwrite)`,
    });
    expect(readFileSync(made.model).equals(model)).to.equal(true);

    const other = JSON.parse(
      (await fedstr(["plan", "init", "--template", "digits-mlp", "--seed", "4", "--json"], { cwd: dir })).stdout,
    ) as { sha256: string; plan: string };
    expect(other.plan).to.equal(join(dir, "plan.json")); // the defaults: plan.json, model.fstw
    expect(other.sha256).to.not.equal(made.sha256);
    const same = JSON.parse(
      (await fedstr(["plan", "init", "--template", "digits-mlp", "--seed", "3", "--force", "--json"], { cwd: dir }))
        .stdout,
    ) as { sha256: string };
    expect(same.sha256).to.equal(made.sha256);
  });

  it("plan init names the known templates for a missing or unknown one (exit 2)", async () => {
    const none = await fedstr(["plan", "init"]);
    expect(none.code).to.equal(2);
    expect(none.stderr).to.match(/--template <id> is required \(one of digits-mlp, digits-logistic\)/);
    const bad = await fedstr(["plan", "init", "--template", "cifar", "--json"]);
    expect(bad.code).to.equal(2);
    expect(jsonError(bad.stdout).message).to.equal(
      'unknown --template "cifar" (expected one of digits-mlp, digits-logistic)',
    );
    const sub = await fedstr(["plan", "make"]);
    expect(sub.code).to.equal(2);
    expect(sub.stderr).to.match(/unknown plan subcommand "make" \(expected templates, init\)/);
  });

  it("data shards --iid: even shards that together with the holdout are the 10,000 digits once each, in the plan's schema", async () => {
    const dir = fresh();
    const r = await fedstr(
      ["data", "shards", "--participants", "3", "--iid", "--holdout", "1000", "--out", "d", "--json"],
      { cwd: dir },
    );
    expect(r.code, r.stdout + r.stderr).to.equal(0);
    const res = JSON.parse(r.stdout) as {
      partition: { kind: string };
      shards: { file: string; samples: number }[];
      holdout: { file: string; samples: number };
    };
    expect(res.partition).to.deep.equal({ kind: "iid" });
    expect(res.shards.map((s) => s.file)).to.deep.equal([1, 2, 3].map((i) => join(dir, "d", `participant-${i}.jsonl`)));
    expect(res.shards.map((s) => s.samples)).to.deep.equal([3000, 3000, 3000]);
    expect(res.holdout).to.deep.include({ file: join(dir, "d", "holdout.jsonl"), samples: 1000 });
    const schema = PLAN_TEMPLATES[0]!.build("0".repeat(64)).data;
    const sets = [...res.shards.map((s) => s.file), res.holdout.file].map((f) => loadJsonl(f, schema));
    expect(sets.map((s) => s.length)).to.deep.equal([3000, 3000, 3000, 1000]);
    // No sample in two files: rows are distinct images, so their texts are distinct too.
    const rows = new Set<string>();
    for (const f of [...res.shards.map((s) => s.file), res.holdout.file])
      for (const line of readFileSync(f, "utf8").trim().split("\n"))
        rows.add(JSON.stringify((JSON.parse(line) as { x: number[] }).x));
    expect(rows.size).to.be.greaterThan(9900); // MNIST holds a few identical images; a reused sample would repeat thousands
  });

  it("data shards --alpha: label-skewed shards, reproducible with the same seed", async () => {
    const dir = fresh();
    const run = (out: string) =>
      fedstr(["data", "shards", "--participants", "4", "--alpha", "0.1", "--seed", "5", "--out", out, "--json"], {
        cwd: dir,
      });
    const a = JSON.parse((await run("a")).stdout) as {
      partition: unknown;
      shards: { file: string; classes: number[] }[];
    };
    expect(a.partition).to.deep.equal({ kind: "dirichlet", alpha: 0.1 });
    // With α = 0.1 a shard is made of a few digits: several digits are (nearly) absent from each.
    // An IID split of the same data has every digit at about a tenth of every shard.
    const rare = (classes: number[]) => {
      const total = classes.reduce((x, y) => x + y, 0);
      return classes.filter((c) => c < 0.01 * total).length;
    };
    for (const s of a.shards) expect(rare(s.classes), `digits per shard ${s.classes}`).to.be.at.least(3);
    const iid = JSON.parse(
      (await fedstr(["data", "shards", "--participants", "4", "--seed", "5", "--out", "iid", "--json"], { cwd: dir }))
        .stdout,
    ) as { partition: unknown; shards: { classes: number[] }[] };
    expect(iid.partition).to.deep.equal({ kind: "iid" }); // the default
    for (const s of iid.shards) expect(rare(s.classes), `digits per shard ${s.classes}`).to.equal(0);
    const schema = PLAN_TEMPLATES[0]!.build("0".repeat(64)).data;
    const ds = loadJsonl(a.shards[0]!.file, schema);
    const counts = new Array<number>(10).fill(0);
    for (let i = 0; i < ds.length; i++) counts[classOf(ds, i)]!++;
    expect(counts).to.deep.equal(a.shards[0]!.classes);
    await run("b");
    for (let i = 1; i <= 4; i++)
      expect(
        readFileSync(join(dir, "b", `participant-${i}.jsonl`)).equals(
          readFileSync(join(dir, "a", `participant-${i}.jsonl`)),
        ),
      ).to.equal(true);
  });

  it("data shards refuses bad flags (exit 2) and existing files (exit 1)", async () => {
    const both = await fedstr(["data", "shards", "--participants", "2", "--iid", "--alpha", "1"]);
    expect([both.code, both.stderr]).to.satisfy(
      ([c, e]: [number, string]) => c === 2 && /give --iid or --alpha, not both/.test(e),
    );
    const alpha = await fedstr(["data", "shards", "--participants", "2", "--alpha", "0", "--json"]);
    expect(jsonError(alpha.stdout).message).to.equal('--alpha must be a positive number, got "0"');
    const none = await fedstr(["data", "shards", "--json"]);
    expect(jsonError(none.stdout)).to.deep.equal({ name: "UsageError", message: "--participants <n> is required" });
    const many = await fedstr(["data", "shards", "--participants", "900", "--json"]);
    expect(many.code).to.equal(2);
    expect(jsonError(many.stdout).message).to.equal(
      "--participants 900 leaves fewer than 10 samples each: 8000 digits remain after the holdout of 2000 (at most 800 participants)",
    );
    const dir = fresh();
    writeFileSync(join(dir, "holdout.jsonl"), "keep me\n");
    const kept = await fedstr(["data", "shards", "--participants", "1", "--out", ".", "--json"], { cwd: dir });
    expect(kept.code).to.equal(1);
    expect(jsonError(kept.stdout)).to.deep.equal({
      name: "BadInput",
      message: `${join(dir, "holdout.jsonl")} already exists (pass --force to overwrite)`,
    });
    expect(readFileSync(join(dir, "holdout.jsonl"), "utf8")).to.equal("keep me\n");
  });
});
