/**
 * Structured logs of the aggregator service. Every event is one object with `event`, `pool`,
 * `round` and `ts` (unix ms): with --json it is a JSON line on stdout (what scripts and the e2e
 * tests read), otherwise a short human line on stderr.
 */
import { toJson } from "@fedstr/sdk/cli";

export interface LogFields {
  [key: string]: unknown;
}

export interface Logger {
  /** One structured event. `pool`/`round` may be null for service-wide events. */
  event(event: string, pool: string | null, round: number | null, fields?: LogFields): void;
}

/** The process's memory now, in MiB (logged at each round's phase ends: what an operator sizes the machine by). */
export function memoryMiB(): { rss: number; heapUsed: number; external: number } {
  const m = process.memoryUsage();
  const mib = (n: number) => Math.round(n / 2 ** 20);
  return { rss: mib(m.rss), heapUsed: mib(m.heapUsed), external: mib(m.external) };
}

const short = (s: string) => (s.length > 12 ? `${s.slice(0, 4)}…${s.slice(-4)}` : s);
const fmt = (v: unknown) =>
  typeof v === "number" && !Number.isInteger(v) ? v.toFixed(4) : typeof v === "object" ? toJson(v) : String(v);

/** A human line for an event: the per-round table line for `round-posted`, key=value otherwise. */
export function humanLine(event: string, pool: string | null, round: number | null, f: LogFields): string {
  const where = `${pool !== null ? `[${short(pool)}]` : "[aggregator]"}${round !== null ? ` round ${round}` : ""}`;
  if (event === "round-posted") {
    const m = (f.metrics ?? {}) as { loss?: number; accuracy?: number };
    const rejected = (f.rejected as unknown[] | undefined)?.length ?? 0;
    const slashed = (f.slashed as unknown[] | undefined)?.length ?? 0;
    const model = (f.model as { cid?: string } | undefined)?.cid ?? "";
    return `${where}: posted  accepted ${(f.accepted as unknown[]).length}  rejected ${rejected}  slashed ${slashed}  loss ${m.loss !== undefined ? m.loss.toFixed(4) : "-"}  accuracy ${m.accuracy !== undefined ? m.accuracy.toFixed(4) : "-"}  reward ${String(f.reward)}  model ${short(model)}${f.fallback ? "  (previous model kept)" : ""}`;
  }
  const rest = Object.entries(f)
    .filter(([, v]) => v !== undefined)
    .map(([k, v]) => `${k}=${fmt(v)}`)
    .join(" ");
  return `${where}: ${event}${rest ? ` ${rest}` : ""}`;
}

export function createLogger(
  json: boolean,
  sink: { out: (line: string) => void; err: (line: string) => void } = {
    out: (l) => process.stdout.write(`${l}\n`),
    err: (l) => process.stderr.write(`${l}\n`),
  },
): Logger {
  return {
    event(event, pool, round, fields = {}) {
      if (json) sink.out(toJson({ event, pool, round, ts: Date.now(), ...fields }));
      else sink.err(humanLine(event, pool, round, fields));
    },
  };
}
