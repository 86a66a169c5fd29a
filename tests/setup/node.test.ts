// The runtime: the suite runs on the Node.js release in .node-version (or newer), the one the
// set-up provides (scripts/node.sh), and the native modules were built for it.

import { execFile } from "node:child_process";
import { readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";
import { expect } from "chai";

const REPO = join(dirname(fileURLToPath(import.meta.url)), "../..");
const run = promisify(execFile);
const version = (v: string) => v.replace(/^v/, "").trim().split(".").map(Number);
const atLeast = (a: number[], b: number[]) => (a[0]! - b[0]! || a[1]! - b[1]! || a[2]! - b[2]!) >= 0;

describe("runtime: the Node.js LTS release in .node-version", () => {
  const wanted = readFileSync(join(REPO, ".node-version"), "utf8").trim();

  it("the suite runs on it or a newer Node (make test and CI put the set-up's Node first on PATH)", () => {
    expect(
      atLeast(version(process.versions.node), version(wanted)),
      `running on ${process.version} (${process.execPath}), want >= ${wanted}: run through make, or eval "$(bash scripts/node.sh env)"`,
    ).to.equal(true);
  });

  it("package.json engines admits it", () => {
    const engines = (JSON.parse(readFileSync(join(REPO, "package.json"), "utf8")) as { engines: { node: string } })
      .engines.node;
    expect(engines).to.match(/^>=\d+$/);
    expect(version(wanted)[0]).to.be.at.least(Number(engines.slice(2)));
  });

  it("native modules load in it: better-sqlite3 (the relay's store) and bigint-buffer's binding", () => {
    const require = createRequire(join(REPO, "package.json"));
    const Database = require("better-sqlite3") as new (
      f: string,
    ) => { prepare(sql: string): { get(): unknown }; close(): void };
    const db = new Database(":memory:");
    expect(db.prepare("select 41 + 1 as n").get()).to.deep.equal({ n: 42 });
    db.close();
    // bigint-buffer falls back to plain JS when its binding does not load: load the binding itself.
    const bigintDir = dirname(require.resolve("bigint-buffer/package.json"));
    const bindings = createRequire(join(bigintDir, "package.json"))("bindings") as (o: {
      bindings: string;
      module_root: string;
    }) => Record<string, unknown>;
    expect(Object.keys(bindings({ bindings: "bigint_buffer", module_root: bigintDir }))).to.include("toBigInt");
  });

  it("scripts/node.sh install is idempotent: with the release in place it fetches nothing (registry on a closed port)", async () => {
    const env = { ...process.env, npm_config_registry: "http://127.0.0.1:9/", npm_config_offline: "true" };
    const first = await run("bash", [join(REPO, "scripts/node.sh"), "install"], { env });
    expect(first.stdout).to.match(
      new RegExp(
        `Node ${wanted.replace(/\./g, "\\.")} already installed|the machine's Node v[\\d.]+ is at least ${wanted.replace(/\./g, "\\.")}`,
      ),
    );
    const prefix = (await run("bash", [join(REPO, "scripts/node.sh"), "prefix"], { env })).stdout.trim();
    const { stdout } = await run(join(prefix, "bin/node"), ["-p", "process.versions.node"]);
    expect(atLeast(version(stdout), version(wanted))).to.equal(true);
  });
});
