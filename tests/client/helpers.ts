/**
 * Helpers for the client tests: run the real `fedstr` binary as a child process.
 */
import { spawn } from "node:child_process";
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const BIN = join(dirname(fileURLToPath(import.meta.url)), "../../client/bin/fedstr");

export interface Run { code: number | null; stdout: string; stderr: string }

/**
 * Run fedstr (by default in an empty directory, with no FEDSTR_* variables and an empty HOME, so no
 * config file, environment or default wallet leaks in). `env` is added on top.
 */
export async function fedstr(args: string[], opts: { cwd?: string; env?: NodeJS.ProcessEnv } = {}): Promise<Run> {
  const env: NodeJS.ProcessEnv = {};
  for (const [k, v] of Object.entries(process.env)) if (!k.startsWith("FEDSTR_") && !k.startsWith("PINATA_")) env[k] = v;
  env.HOME = mkdtempSync(join(tmpdir(), "fedstr-home-"));
  const child = spawn(BIN, args, { cwd: opts.cwd ?? mkdtempSync(join(tmpdir(), "fedstr-cli-")), env: { ...env, ...opts.env } });
  let stdout = "", stderr = "";
  child.stdout.on("data", (d: Buffer) => { stdout += d.toString(); });
  child.stderr.on("data", (d: Buffer) => { stderr += d.toString(); });
  const code = await new Promise<number | null>((resolve) => child.on("close", resolve));
  return { code, stdout, stderr };
}

/** The `{"error": {name, message}}` document a failed command prints with --json. */
export const jsonError = (stdout: string) => (JSON.parse(stdout) as { error: { name: string; message: string } }).error;
