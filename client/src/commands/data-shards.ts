/**
 * `fedstr data shards --participants N`: example private data for a first pool — the bundled MNIST
 * digits split into one JSONL shard per participant (IID, or label-skewed with Dirichlet α) plus
 * a holdout set for the aggregator, as the demo makes them.
 */
import { mkdirSync } from "node:fs";
import { join, resolve } from "node:path";
import { intFlag, type Output, parseCommand, UsageError } from "@fedstr/sdk/cli";
import {
  classOf,
  type Dataset,
  loadDigits,
  partitionDirichlet,
  partitionIid,
  saveJsonl,
  trainTestSplit,
} from "@fedstr/sdk/fl";
import { ClientError } from "../errors.js";
import { refuseOverwrite } from "../files.js";
import { table } from "../pool.js";

export const help = `fedstr data shards --participants N [--iid | --alpha A] [--seed N] [--holdout N] [--out dir] [--force]
  — example data: the bundled handwritten digits (10,000 real MNIST 28×28 images) as one shard per
    participant and a holdout set for the aggregator, in the digits templates' data schema

  --participants <n>      number of shards: <dir>/participant-1.jsonl … participant-<n>.jsonl
  --iid                   shuffle and split evenly (the default)
  --alpha <a>             label skew instead: each digit's samples spread over the participants by
                          Dirichlet(a); smaller a = more skew (0.5 is strongly non-IID)
  --seed <n>              seed of the split (default 1): the same seed gives the same files
  --holdout <n>           samples kept out of every shard for <dir>/holdout.jsonl (default 2000)
  --out <dir>             where to write (default data; created if missing)
  --force                 overwrite existing shard files (otherwise the command refuses)
  --json                  one JSON document on stdout

Give each participant its shard (\`fedstr train <pool> --data <dir>/participant-<i>.jsonl\`) and the
aggregator the holdout (\`fedstr-aggregator run --pool <pool> --holdout <dir>/holdout.jsonl\`).`;

const OPTIONS = {
  participants: { type: "string" },
  iid: { type: "boolean" },
  alpha: { type: "string" },
  seed: { type: "string" },
  holdout: { type: "string" },
  out: { type: "string" },
  force: { type: "boolean" },
} as const;

/** Per-shard minimum (as partitionDirichlet enforces): fewer samples are not worth training on. */
const MIN_SHARD = 10;

function classCounts(ds: Dataset): number[] {
  const counts = new Array<number>(10).fill(0);
  for (let i = 0; i < ds.length; i++) counts[classOf(ds, i)]!++;
  return counts;
}

export async function main(argv: string[], out: Output): Promise<void> {
  const { values } = parseCommand(argv, OPTIONS, { max: 0, usage: "no arguments (all are flags)" });
  if (values.help) return out.result({ help }, help);
  const participants = intFlag(values.participants, "participants", { min: 1, max: 1000 });
  if (participants === undefined) throw new UsageError("--participants <n> is required");
  if (values.iid && values.alpha !== undefined) throw new UsageError("give --iid or --alpha, not both");
  let alpha: number | undefined;
  if (values.alpha !== undefined) {
    alpha = Number(values.alpha);
    if (!/^[0-9]*\.?[0-9]+(e-?[0-9]+)?$/i.test(values.alpha) || !(alpha > 0) || !Number.isFinite(alpha))
      throw new UsageError(`--alpha must be a positive number, got ${JSON.stringify(values.alpha)}`);
  }
  const seed = intFlag(values.seed, "seed", { min: 0, max: 0xffff_ffff }) ?? 1;
  const digits = loadDigits();
  const holdoutSize = intFlag(values.holdout, "holdout", { min: 1, max: digits.length - MIN_SHARD }) ?? 2000;
  const trainSize = digits.length - holdoutSize;
  if (participants * MIN_SHARD > trainSize) {
    throw new UsageError(
      `--participants ${participants} leaves fewer than ${MIN_SHARD} samples each: ${trainSize} digits remain after the holdout of ${holdoutSize} (at most ${Math.floor(trainSize / MIN_SHARD)} participants)`,
    );
  }
  const dir = resolve(values.out ?? "data");
  const shardFiles = Array.from({ length: participants }, (_, i) => join(dir, `participant-${i + 1}.jsonl`));
  const holdoutFile = join(dir, "holdout.jsonl");
  if (!values.force) refuseOverwrite([...shardFiles, holdoutFile]);

  const { train, test } = trainTestSplit(digits, holdoutSize, seed);
  let shards: Dataset[];
  try {
    shards =
      alpha === undefined
        ? partitionIid(train, participants, seed)
        : partitionDirichlet(train, participants, alpha, seed, MIN_SHARD);
  } catch (e) {
    throw new ClientError("BadInput", `${(e as Error).message}; try fewer --participants or a larger --alpha`);
  }
  mkdirSync(dir, { recursive: true });
  const bar = out.progress("writing shards", participants + 1);
  const written = shards.map((s, i) => {
    saveJsonl(shardFiles[i]!, s);
    bar.update(i + 1);
    return { file: shardFiles[i]!, samples: s.length, classes: classCounts(s) };
  });
  saveJsonl(holdoutFile, test);
  bar.done();
  const partition = alpha === undefined ? { kind: "iid" as const } : { kind: "dirichlet" as const, alpha };
  const human = [
    table(
      ["file", "samples", "per digit 0–9"],
      [
        ...written.map((s) => [s.file, String(s.samples), s.classes.join(" ")]),
        [holdoutFile, String(test.length), classCounts(test).join(" ")],
      ],
    ),
    "",
    `${participants} shard(s), ${alpha === undefined ? "IID" : `Dirichlet α=${alpha}`}, seed ${seed}; the last file is the aggregator's holdout.`,
  ].join("\n");
  out.result(
    {
      dir,
      partition,
      seed,
      shards: written,
      holdout: { file: holdoutFile, samples: test.length, classes: classCounts(test) },
    },
    human,
  );
}
