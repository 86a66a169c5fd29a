/**
 * Helpers for the client tests: run the real `fedstr` binary as a child process.
 */
import { type ChildProcessByStdio, spawn } from "node:child_process";
import { mkdtempSync } from "node:fs";
import { createRequire } from "node:module";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { createInterface } from "node:readline";
import type { Readable, Writable } from "node:stream";
import { fileURLToPath, pathToFileURL } from "node:url";

const BIN = join(dirname(fileURLToPath(import.meta.url)), "../../client/bin/fedstr");

export interface Run {
  code: number | null;
  stdout: string;
  stderr: string;
}

/**
 * Run fedstr (by default in an empty directory, with no FEDSTR_* variables and an empty HOME, so no
 * config file, environment or default wallet leaks in). `env` is added on top.
 */
export async function fedstr(args: string[], opts: { cwd?: string; env?: NodeJS.ProcessEnv } = {}): Promise<Run> {
  const env: NodeJS.ProcessEnv = {};
  for (const [k, v] of Object.entries(process.env))
    if (!k.startsWith("FEDSTR_") && !k.startsWith("PINATA_")) env[k] = v;
  env.HOME = mkdtempSync(join(tmpdir(), "fedstr-home-"));
  return await outputOf(
    spawn(BIN, args, { cwd: opts.cwd ?? mkdtempSync(join(tmpdir(), "fedstr-cli-")), env: { ...env, ...opts.env } }),
  );
}

/** A child process's whole stdout and stderr, and its exit code, once it has closed. */
export async function outputOf(child: ChildProcessByStdio<null | Writable, Readable, Readable>): Promise<Run> {
  let stdout = "",
    stderr = "";
  child.stdout.on("data", (d: Buffer) => {
    stdout += d.toString();
  });
  child.stderr.on("data", (d: Buffer) => {
    stderr += d.toString();
  });
  const code = await new Promise<number | null>((resolve) => child.on("close", resolve));
  return { code, stdout, stderr };
}

/** The `{"error": {name, message}}` document a failed command prints with --json. */
export const jsonError = (stdout: string) => (JSON.parse(stdout) as { error: { name: string; message: string } }).error;

const REPO = join(dirname(fileURLToPath(import.meta.url)), "../..");
const TSX = pathToFileURL(createRequire(join(REPO, "package.json")).resolve("tsx")).href; // its ESM loader

/** A long-running command with --json: its stdout JSON lines as they come. */
export interface Running {
  lines: Record<string, unknown>[];
  stderr: string[];
  waitFor(match: (line: Record<string, unknown>) => boolean, timeoutMs?: number): Promise<Record<string, unknown>>;
  exited: Promise<number | null>;
  kill(signal?: NodeJS.Signals): void;
}

/** Start `fedstr` (client) or `fedstr-aggregator` with --json in the repository directory. */
export function spawnLines(which: "fedstr" | "fedstr-aggregator", args: string[], env: NodeJS.ProcessEnv): Running {
  const entry = join(REPO, which === "fedstr" ? "client/src/cli.ts" : "aggregator/src/cli.ts");
  const child = spawn(process.execPath, ["--import", TSX, entry, ...args, "--json"], {
    cwd: REPO,
    env: { ...process.env, ...env },
    stdio: ["ignore", "pipe", "pipe"],
  });
  const lines: Record<string, unknown>[] = [];
  const stderr: string[] = [];
  createInterface({ input: child.stderr }).on("line", (l) => {
    stderr.push(l);
    if (process.env.FEDSTR_TEST_LOG) process.stderr.write(`      [${which}] ${l}\n`);
  });
  createInterface({ input: child.stdout }).on("line", (l) => {
    try {
      lines.push(JSON.parse(l) as Record<string, unknown>);
    } catch {
      lines.push({ event: "non-json", text: l });
    }
  });
  const exited = new Promise<number | null>((resolve) => child.on("close", resolve));
  let done = false;
  void exited.then(() => {
    done = true;
  });
  return {
    lines,
    stderr,
    exited,
    kill: (signal = "SIGTERM") => {
      if (!done) child.kill(signal);
    },
    waitFor: async (match, timeoutMs = 120_000) => {
      const until = Date.now() + timeoutMs;
      for (;;) {
        const hit = lines.find(match);
        if (hit) return hit;
        if (done)
          throw new Error(
            `${which} ${args[0]} exited before the awaited line; stderr: ${stderr.slice(-5).join(" | ")}; stdout: ${lines
              .slice(-3)
              .map((l) => JSON.stringify(l))
              .join(" | ")}`,
          );
        if (Date.now() > until)
          throw new Error(
            `${which} ${args[0]}: awaited line not seen in ${timeoutMs} ms; stderr: ${stderr.slice(-5).join(" | ")}`,
          );
        await new Promise((r) => setTimeout(r, 100));
      }
    },
  };
}
