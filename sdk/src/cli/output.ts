/**
 * How fedstr commands talk to people and to scripts: progress and logs on stderr, the result on
 * stdout (a table/sentence, or with --json one JSON document), errors as one clear line (or a JSON
 * `{"error": ...}`) with exit status 2 for usage mistakes and 1 for everything else.
 */
import { UsageError } from "./args.js";

export interface Output {
  readonly json: boolean;
  /** A progress/log line on stderr (suppressed in --json mode unless FEDSTR_LOG is set). */
  info(message: string): void;
  /** The command's result: `human` printed as is, or `data` as JSON. */
  result(data: unknown, human: string): void;
  /** A progress bar on stderr: update(done) redraws; done() ends the line. */
  progress(label: string, total: number): { update(done: number, suffix?: string): void; done(suffix?: string): void };
}

/** JSON.stringify that writes bigint as decimal strings and typed arrays as lists. */
export function toJson(data: unknown, indent?: number): string {
  return JSON.stringify(
    data,
    (_k, v) =>
      typeof v === "bigint"
        ? v.toString()
        : ArrayBuffer.isView(v) && !(v instanceof DataView)
          ? Array.from(v as unknown as ArrayLike<number>)
          : v,
    indent,
  );
}

export function createOutput(json: boolean): Output {
  const log = !json || process.env.FEDSTR_LOG !== undefined;
  const tty = process.stderr.isTTY === true;
  return {
    json,
    info: (m) => {
      if (log) process.stderr.write(`${m}\n`);
    },
    result: (data, human) => {
      process.stdout.write(json ? `${toJson(data)}\n` : `${human}\n`);
    },
    progress: (label, total) => {
      let last = -1;
      const draw = (done: number, suffix = "", end = false) => {
        if (!log) return;
        const pct = total > 0 ? Math.floor((100 * done) / total) : 100;
        if (!tty && !end && pct - last < 25) return; // pipes get a few lines, not a redraw per step
        last = pct;
        const width = 24,
          fill = Math.round((width * pct) / 100);
        const line = `${label} [${"#".repeat(fill)}${"-".repeat(width - fill)}] ${pct}%${suffix ? ` ${suffix}` : ""}`;
        process.stderr.write(tty ? `\r${line}${end ? "\n" : ""}` : `${line}\n`);
      };
      return { update: (d, s) => draw(d, s), done: (s) => draw(total, s, true) };
    },
  };
}

/**
 * Run a command's main function: print its error clearly and set the exit status.
 * `main` returns nothing; it prints through the Output it was given.
 */
export async function runCommand(argv: string[], main: (argv: string[], out: Output) => Promise<void>): Promise<void> {
  const json = argv.includes("--json");
  const out = createOutput(json);
  try {
    await main(argv, out);
  } catch (e) {
    const err = e instanceof Error ? e : new Error(String(e));
    const code = err instanceof UsageError ? 2 : 1;
    if (json) process.stdout.write(`${toJson({ error: { name: err.name, message: err.message } })}\n`);
    else process.stderr.write(`error: ${err.message}${err instanceof UsageError ? " (see --help)" : ""}\n`);
    if (process.env.FEDSTR_DEBUG && err.stack) process.stderr.write(`${err.stack}\n`);
    process.exitCode = code;
  }
}
