/**
 * Junk flood benchmark: one pool round on the real localnet (Surfpool + fedstr program, embedded
 * relay and IPFS node) with the real `fedstr-aggregator run` process and three honest participants,
 * under 0 (the same-run baseline), 2,000 and 20,000 junk events from strangers (half validly signed
 * wallet-bound results from keys that never joined, half validly signed malformed ones) published
 * during the round; the honest results go out behind half of the junk.
 *
 *   npm run bench:junk -- [--json] [--sizes 0,2000,20000]
 *
 * Per size: round overhead = last honest result accepted by the relay → `round-posted` (the
 * aggregator's log timestamp), and the aggregator process's peak RSS (VmHWM). Target: 20,000 junk
 * adds ≤ 20 % to the no-junk overhead. Last line: one JSON object.
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { parseArgs } from "node:util";
import { startLocalnet } from "../localnet/index.js";
import { JUNK_WALLETS, runJunkRound } from "../tests/aggregator/junk-round.js";

const { values } = parseArgs({
  options: {
    json: { type: "boolean", default: false },
    sizes: { type: "string", default: "0,2000,20000" },
    verbose: { type: "boolean", default: false },
  },
});
const sizes = values.sizes.split(",").map((s) => Number(s));
if (sizes.some((n) => !Number.isSafeInteger(n) || n < 0))
  throw new Error(`--sizes must be non-negative integers, got ${values.sizes}`);
if (!sizes.includes(0)) sizes.unshift(0);
const say = (l: string) => process.stderr.write(`${l}\n`);

const dir = mkdtempSync(join(tmpdir(), "fedstr-bench-junk-"));
const net = await startLocalnet({ dir: join(dir, "localnet"), slotTimeMs: 100, wallets: JUNK_WALLETS });
const rows: {
  junk: number;
  overheadMs: number;
  peakRssMiB: number;
  accepted: number;
  publishMs: number;
  signMs: number;
  identityMs: number;
  dropped: Record<string, number>;
}[] = [];
try {
  for (const junk of sizes) {
    say(`junk ${junk}: running a round…`);
    const r = await runJunkRound(net, {
      bound: Math.floor(junk / 2),
      malformed: junk - Math.floor(junk / 2),
      ...(values.verbose ? { log: say } : {}),
    });
    if (r.exitCode !== 0)
      throw new Error(`the aggregator exited with ${r.exitCode}: ${JSON.stringify(r.aggregator.lines.slice(-3))}`);
    const posted = r.aggregator.lines.find((l) => l.event === "round-posted")!;
    const collected = r.aggregator.lines.find((l) => l.event === "round-collected")!;
    rows.push({
      junk,
      overheadMs: r.overheadMs,
      peakRssMiB: Math.round(r.peakRssKb / 102.4) / 10,
      accepted: (posted.accepted as string[]).length,
      publishMs: Math.round(r.flood.publishMs),
      signMs: Math.round(r.flood.generation.signMs),
      identityMs: Math.round(r.flood.generation.identityMs),
      dropped: Object.fromEntries(
        Object.entries(collected.ingest as Record<string, number>).filter(([k]) => k !== "accepted"),
      ),
    });
    for (const s of Object.values(r.sessions)) await s.close().catch(() => undefined);
    const row = rows.at(-1)!;
    say(
      `junk ${junk}: overhead ${row.overheadMs} ms, peak RSS ${row.peakRssMiB} MiB, accepted ${row.accepted}/3, dropped before collection ${JSON.stringify(row.dropped)}`,
    );
  }
} finally {
  await net.stop();
  rmSync(dir, { recursive: true, force: true });
}

const base = rows.find((r) => r.junk === 0)!;
const worst = rows.find((r) => r.junk === Math.max(...sizes))!;
const addedPct = Math.round(((worst.overheadMs - base.overheadMs) / base.overheadMs) * 1000) / 10;
say("");
say("junk     overhead (ms)   vs baseline   peak RSS (MiB)   honest accepted");
for (const r of rows)
  say(
    `${String(r.junk).padStart(6)}   ${String(r.overheadMs).padStart(13)}   ${`${r.junk === 0 ? "baseline" : `${r.overheadMs >= base.overheadMs ? "+" : ""}${Math.round(((r.overheadMs - base.overheadMs) / base.overheadMs) * 1000) / 10} %`}`.padStart(11)}   ${String(r.peakRssMiB).padStart(14)}   ${r.accepted}/3`,
  );
say(
  `target: ${worst.junk} junk adds ≤ 20 % to the no-junk round overhead → ${addedPct} % (${addedPct <= 20 ? "met" : "missed"})`,
);
console.log(
  JSON.stringify({
    bench: "junk",
    rows,
    baselineOverheadMs: base.overheadMs,
    addedPct,
    targetPct: 20,
    met: addedPct <= 20,
  }),
);
