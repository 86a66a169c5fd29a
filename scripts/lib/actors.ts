/**
 * Running fedstr's real commands as separate processes, the way the demo and the end-to-end tests
 * drive the marketplace: `fedstr` (client/) and `fedstr-aggregator` (aggregator/), each with
 * --json, parsed from stdout; stderr is kept for error messages and optionally echoed with a prefix.
 */
import { type ChildProcess, spawn } from "node:child_process";
import { dirname, join } from "node:path";
import { createInterface } from "node:readline";
import { fileURLToPath } from "node:url";

export const REPO_ROOT = join(dirname(fileURLToPath(import.meta.url)), "../..");
const ENTRY = {
  fedstr: join(REPO_ROOT, "client/src/cli.ts"),
  "fedstr-aggregator": join(REPO_ROOT, "aggregator/src/cli.ts"),
} as const;
export type CommandName = keyof typeof ENTRY;
/** Node flags each command's bin script passes too (aggregator/bin/fedstr-aggregator says why). */
const NODE_FLAGS: Record<CommandName, string[]> = {
  fedstr: [],
  "fedstr-aggregator": ["--max-semi-space-size=4"],
};

export interface ActorOptions {
  /** Extra environment (FEDSTR_CONFIG etc.). */
  env?: NodeJS.ProcessEnv;
  /** Called with every stderr line (progress, logs). */
  onStderr?: (line: string) => void;
}

export class CommandFailed extends Error {
  override name = "CommandFailed";
  constructor(
    readonly command: string,
    readonly code: number | null,
    readonly stdout: string,
    readonly stderr: string,
  ) {
    const json = (() => {
      try {
        return (JSON.parse(stdout.trim().split("\n").pop() ?? "") as { error?: { message?: string } }).error?.message;
      } catch {
        return undefined;
      }
    })();
    super(`${command} exited with ${code}: ${json ?? stderr.trim().split("\n").slice(-3).join(" | ")}`);
  }
}

function start(cmd: CommandName, args: string[], opts: ActorOptions): ChildProcess {
  const child = spawn(process.execPath, [...NODE_FLAGS[cmd], "--import", "tsx", ENTRY[cmd], ...args], {
    cwd: REPO_ROOT,
    env: { ...process.env, ...opts.env },
    stdio: ["ignore", "pipe", "pipe"],
  });
  createInterface({ input: child.stderr! }).on("line", (l) => opts.onStderr?.(l));
  return child;
}

/** Run a one-shot command with --json and return its parsed JSON result (throws CommandFailed on a non-zero exit). */
export async function runJson<T = Record<string, unknown>>(
  cmd: CommandName,
  args: string[],
  opts: ActorOptions = {},
): Promise<T> {
  let stderr = "";
  const child = start(cmd, [...args, "--json"], {
    ...opts,
    onStderr: (l) => {
      stderr += `${l}\n`;
      opts.onStderr?.(l);
    },
  });
  let stdout = "";
  child.stdout!.on("data", (d: Buffer) => {
    stdout += d.toString();
  });
  const code = await new Promise<number | null>((resolve) => child.on("close", (c) => resolve(c)));
  if (code !== 0) throw new CommandFailed(`${cmd} ${args.join(" ")}`, code, stdout, stderr);
  try {
    return JSON.parse(stdout) as T;
  } catch {
    throw new CommandFailed(
      `${cmd} ${args.join(" ")}`,
      code,
      stdout,
      `stdout is not one JSON document: ${stdout.slice(0, 200)}`,
    );
  }
}

/** A long-running command with --json whose stdout is JSON lines. */
export interface RunningActor {
  readonly child: ChildProcess;
  /** Every JSON line so far. */
  readonly lines: Record<string, unknown>[];
  /** Every stderr line so far (progress and logs). */
  readonly stderr: string[];
  /** Resolves with the first stderr line matching `pattern` (rejects if the process exits first). */
  waitForStderr(pattern: RegExp): Promise<string>;
  /** Resolves with the first line for which `match` holds (rejects if the process exits first). */
  waitFor(match: (line: Record<string, unknown>) => boolean): Promise<Record<string, unknown>>;
  /** Resolves with the exit code. */
  readonly exited: Promise<number | null>;
  kill(signal?: NodeJS.Signals): void;
}

export function spawnJsonLines(
  cmd: CommandName,
  args: string[],
  opts: ActorOptions & { onLine?: (line: Record<string, unknown>) => void } = {},
): RunningActor {
  const stderr: string[] = [];
  const stderrWaiters: { pattern: RegExp; resolve: (l: string) => void; reject: (e: Error) => void }[] = [];
  const child = start(cmd, [...args, "--json"], {
    ...opts,
    onStderr: (l) => {
      stderr.push(l);
      opts.onStderr?.(l);
      for (const w of [...stderrWaiters])
        if (w.pattern.test(l)) {
          stderrWaiters.splice(stderrWaiters.indexOf(w), 1);
          w.resolve(l);
        }
    },
  });
  const lines: Record<string, unknown>[] = [];
  const waiters: {
    match: (l: Record<string, unknown>) => boolean;
    resolve: (l: Record<string, unknown>) => void;
    reject: (e: Error) => void;
  }[] = [];
  createInterface({ input: child.stdout! }).on("line", (text) => {
    let line: Record<string, unknown>;
    try {
      line = JSON.parse(text) as Record<string, unknown>;
    } catch {
      line = { event: "non-json", text };
    }
    lines.push(line);
    opts.onLine?.(line);
    for (const w of [...waiters])
      if (w.match(line)) {
        waiters.splice(waiters.indexOf(w), 1);
        w.resolve(line);
      }
  });
  const exited = new Promise<number | null>((resolve) =>
    child.on("close", (c) => {
      for (const w of [...waiters.splice(0), ...stderrWaiters.splice(0)])
        w.reject(new Error(`${cmd} exited (${c}) before the awaited line`));
      resolve(c);
    }),
  );
  return {
    child,
    lines,
    stderr,
    exited,
    waitFor: (match) => {
      const seen = lines.find(match);
      if (seen) return Promise.resolve(seen);
      return new Promise((resolve, reject) => {
        if (child.exitCode !== null || child.signalCode !== null) return reject(new Error(`${cmd} already exited`));
        waiters.push({ match, resolve, reject });
      });
    },
    waitForStderr: (pattern) => {
      const seen = stderr.find((l) => pattern.test(l));
      if (seen !== undefined) return Promise.resolve(seen);
      return new Promise((resolve, reject) => {
        if (child.exitCode !== null || child.signalCode !== null) return reject(new Error(`${cmd} already exited`));
        stderrWaiters.push({ pattern, resolve, reject });
      });
    },
    kill: (signal = "SIGTERM") => {
      if (child.exitCode === null && child.signalCode === null) child.kill(signal);
    },
  };
}
