// The README's "Running a pool by hand", run as written: its shell blocks are read from README.md
// and each line is run with bash in an empty directory, on a real local network. Only these are
// substituted, so the test fails whenever the README's commands stop working:
// - `npm install -g ./client ./aggregator` gets `--prefix <temporary directory>` (not the machine's global prefix);
// - `npm run localnet` is startLocalnet() on free ports, its directory at <R>/.fedstr/localnet;
// - the `R=…` line names that <R>;
// - `<wallet>`, `<pubkey>` and `<pool>` are taken from the --json output of the lines that print them.
// A line marked `# terminal N` keeps running: it is started in the background, and the next
// ordinary line waits for all of them to finish while the test moves the chain clock (round 1 once
// every background command waits for it, each next round once the previous one is posted), as a
// person would wait. Everything runs through the commands, not the SDK, so on-chain interface
// changes do not touch this test.

import { spawn } from "node:child_process";
import { mkdirSync, mkdtempSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { createInterface } from "node:readline";
import { fileURLToPath } from "node:url";
import { chainTime } from "@fedstr/sdk/job";
import { expect } from "chai";
import { type LocalnetHandle, startLocalnet } from "../../localnet/index.js";

const REPO = join(dirname(fileURLToPath(import.meta.url)), "../..");

/** The shell lines of the README section (continuations joined), in order. */
function readmeLines(markdown: string, section: string): string[] {
  const start = markdown.indexOf(`## ${section}\n`);
  if (start < 0) throw new Error(`README has no section "## ${section}"`);
  const next = markdown.indexOf("\n## ", start + 1);
  const body = markdown.slice(start, next < 0 ? undefined : next);
  const lines: string[] = [];
  for (const block of body.matchAll(/```sh\n([\s\S]*?)```/g)) {
    let pending = "";
    for (const raw of block[1]!.split("\n")) {
      if (raw.trimEnd().endsWith("\\")) {
        pending += `${raw.trimEnd().slice(0, -1)} `;
        continue;
      }
      const line = (pending + raw).trim();
      pending = "";
      if (line !== "") lines.push(line);
    }
  }
  return lines;
}

interface Proc {
  line: string;
  stderr: string[];
  exited: Promise<number | null>;
  kill(): void;
}

describe("README: running a pool by hand, command by command", function () {
  this.timeout(900_000);
  const lines = readmeLines(readFileSync(join(REPO, "README.md"), "utf8"), "Running a pool by hand");
  const root = mkdtempSync(join(tmpdir(), "fedstr-readme-")); // stands for the repository's .fedstr
  const work = join(root, "work"); // the newcomer's empty directory
  const prefix = join(root, "npm-global");
  mkdirSync(work);
  const env: NodeJS.ProcessEnv = {
    PATH: `${join(prefix, "bin")}:${dirname(process.execPath)}:/usr/bin:/bin`,
    HOME: join(root, "home"),
    LANG: "C.UTF-8",
  };
  let net: LocalnetHandle | undefined;
  const background: Proc[] = [];
  const values: Record<string, string> = {};
  const assignments: string[] = [];
  const transcript: string[] = [];

  after(async () => {
    for (const p of background) p.kill();
    await Promise.all(background.map((p) => p.exited));
    await net?.stop();
  });

  const fill = (line: string) =>
    line.replace(/<([a-z]+)>/g, (m, name: string) => {
      const v = values[name];
      if (v === undefined) throw new Error(`README line uses ${m} before any line printed it: ${line}`);
      return v;
    });

  function bash(line: string): Proc & { stdout: string[] } {
    const child = spawn("bash", ["-euo", "pipefail", "-c", [...assignments, line].join("\n")], {
      cwd: work,
      env,
      stdio: ["ignore", "pipe", "pipe"],
    });
    const stdout: string[] = [],
      stderr: string[] = [];
    createInterface({ input: child.stdout }).on("line", (l) => stdout.push(l));
    createInterface({ input: child.stderr }).on("line", (l) => {
      stderr.push(l);
      if (process.env.FEDSTR_TEST_LOG) process.stderr.write(`      | ${l}\n`);
    });
    const exited = new Promise<number | null>((resolve) => child.on("close", resolve));
    let done = false;
    void exited.then(() => {
      done = true;
    });
    return {
      line,
      stdout,
      stderr,
      exited,
      kill: () => {
        if (!done) child.kill("SIGTERM");
      },
    };
  }

  async function waitForLine(p: Proc, re: RegExp, what: string, timeoutMs = 300_000): Promise<void> {
    const until = Date.now() + timeoutMs;
    let done = false;
    void p.exited.then(() => {
      done = true;
    });
    while (!p.stderr.some((l) => re.test(l))) {
      if (done) throw new Error(`${p.line} exited before ${what}; stderr: ${p.stderr.slice(-8).join(" | ")}`);
      if (Date.now() > until)
        throw new Error(`${p.line}: no ${what} in ${timeoutMs} ms; stderr: ${p.stderr.slice(-8).join(" | ")}`);
      await new Promise((r) => setTimeout(r, 200));
    }
  }

  /** What a person does while terminals 2… run: wait. The test moves the chain clock instead. */
  async function driveToEnd(): Promise<void> {
    const pool = values.pool!;
    const status = async () =>
      JSON.parse(await runLine(`fedstr status ${pool} --json`, false)) as {
        pool: { joinDeadline: number; roundSeconds: number; rounds: number; roundsPosted: number; status: string };
      };
    const aggregator = background.find((p) => /^fedstr-aggregator run /.test(p.line));
    const trainers = background.filter((p) => /^fedstr train /.test(p.line));
    expect(aggregator, "a background fedstr-aggregator run").to.not.equal(undefined);
    expect(trainers.length, "background fedstr train lines").to.be.greaterThan(0);
    await Promise.all([
      ...trainers.map((t) => waitForLine(t, /round 1 starts at/, "wait for round 1")),
      waitForLine(aggregator!, /round 1: round-waiting/, "wait for round 1"),
    ]);
    const { pool: terms } = await status();
    const travel = async (to: number) => {
      await net!.timeTravel(Math.max(to, (await chainTime(net!.connection)) + 1));
    };
    await travel(terms.joinDeadline);
    for (let r = 1; r <= terms.rounds; r++) {
      await waitForLine(aggregator!, new RegExp(`round ${r}: posted `), `round ${r} posted`);
      if (r < terms.rounds) await travel(terms.joinDeadline + r * terms.roundSeconds);
    }
    for (const p of background) expect(await p.exited, `${p.line}: ${p.stderr.slice(-8).join(" | ")}`).to.equal(0);
    background.length = 0;
    expect((await status()).pool).to.deep.include({ status: "Finished", roundsPosted: terms.rounds });
  }

  /** Run one line to its end; exit 0 required. Returns its stdout. */
  async function runLine(line: string, record = true): Promise<string> {
    const p = bash(line);
    const code = await p.exited;
    if (record) transcript.push(`$ ${line}\n${p.stdout.join("\n")}`);
    expect(
      code,
      `${line}\nstdout: ${p.stdout.slice(-5).join(" | ")}\nstderr: ${p.stderr.slice(-8).join(" | ")}`,
    ).to.equal(0);
    return p.stdout.join("\n");
  }

  it("the README's lines run, in order, and end with a finished pool, claimed rewards and returned stakes", async () => {
    expect(lines.length).to.be.greaterThan(10);
    for (const raw of lines) {
      const line = fill(raw);
      if (/^npm install -g /.test(line)) {
        const p = spawn("bash", ["-c", `${line.replace(/\s+#.*$/, "")} --prefix '${prefix}'`], {
          cwd: REPO,
          env: { ...process.env, ...env },
          stdio: "ignore",
        });
        expect(await new Promise((r) => p.on("close", r)), line).to.equal(0);
      } else if (/^npm run localnet\b/.test(line)) {
        net = await startLocalnet({ dir: join(root, ".fedstr", "localnet"), slotTimeMs: 100 });
      } else if (/^R=/.test(line)) {
        assignments.push(`R='${root}'`);
      } else if (/^(export )?[A-Z_]+=/.test(line)) {
        assignments.push(line);
      } else if (/#\s*terminal \d/.test(line)) {
        background.push(bash(line));
      } else {
        if (background.length > 0) await driveToEnd();
        const out = await runLine(line);
        if (/--json(\s|$)/.test(line.replace(/\s+#.*$/, ""))) {
          const doc = JSON.parse(out) as Record<string, unknown>;
          if (typeof doc.nostrPubkey === "string") {
            values.wallet = doc.wallet as string;
            values.pubkey = doc.nostrPubkey;
          }
          if (typeof doc.pool === "string") values.pool = doc.pool;
        }
      }
    }
    expect(background, "background lines left running at the end of the README").to.deep.equal([]);
    expect(values.pool, "a pool was created").to.be.a("string");

    // What the section promises, read back through the command line.
    const wallets = join(root, ".fedstr", "localnet", "wallets");
    const st = JSON.parse(
      await runLine(`fedstr status ${values.pool} --wallet ${wallets}/participant-1.json --json`, false),
    ) as {
      pool: { status: string; rounds: number; claimed: string };
      participant: { stake: string; commitCount: number; status: string } | null;
      rounds: { claimed: boolean | null; myReward: string | null }[];
    };
    expect(st.pool.status).to.equal("Finished");
    expect(st.participant!.commitCount, "participant-1 committed every round").to.equal(st.pool.rounds);
    expect(
      st.rounds.every((r) => r.claimed === true && BigInt(r.myReward ?? "0") > 0n),
      JSON.stringify(st.rounds),
    ).to.equal(true);
    expect(st.participant!.status, "participant-1 withdrew its stake").to.equal("withdrawn");
    const verify = transcript.find((t) => t.startsWith(`$ fedstr verify ${values.pool}`));
    expect(verify, "the README verifies the pool").to.be.a("string");
  });
});
