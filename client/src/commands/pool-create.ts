/**
 * `fedstr pool create`: an organization opens a pool. The plan and the initial model are checked
 * (plan valid, model decodes, its sha256 is the plan's, its tensors are the plan's model), uploaded,
 * the kind-5720 job request is built for the pool's PDA (known in advance), create_pool escrows the
 * reward with the job id, plan CID and model CID, then the job request is published.
 */

import { randomBytes } from "node:crypto";
import { existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import {
  amountFlag,
  COMMON_HELP,
  formatAmount,
  intFlag,
  type Output,
  parseCommand,
  UsageError,
  withRetry,
} from "@fedstr/sdk/cli";
import {
  aggregationBudget,
  buildModel,
  CodecError,
  decode,
  hashBytes,
  loadTf,
  modelWeightNames,
  parsePlan,
  type TrainingPlan,
  toHex,
  type Weights,
} from "@fedstr/sdk/fl";
import { chainTime } from "@fedstr/sdk/job";
import { buildJobRequest, ProtocolError } from "@fedstr/sdk/nostr";
import { createSealKeySet } from "@fedstr/sdk/privacy";
import { cidToBytes, createPoolIx, findEscrowAddress, findPoolAddress } from "@fedstr/sdk/program";
import { ClientError } from "../errors.js";
import { formatTime, mintDecimals, parseAddress, tokenAccountOf } from "../pool.js";
import { publishEvent } from "../publish.js";
import { withSession } from "../session.js";

export const help = `fedstr pool create --plan <plan.json> --model <weights.fstw> --reward <amount> --min-stake <amount>
                  --rounds N --round-seconds S --join-seconds J [options]

Creates a pool: escrows the reward, uploads the plan and the initial model, publishes the job request.

  --plan <file>              training plan (JSON, docs/fl.md)
  --model <file>             initial weights (FSTW codec); sha256 must equal plan.model.initialWeights.sha256
  --reward <amount>          total reward, in the mint's units (spread evenly over the rounds)
  --min-stake <amount>       minimum stake per participant, in the mint's units
  --rounds N                 number of rounds (1-256)
  --round-seconds S          length of a round (5 s to 30 days)
  --join-seconds J           joins close J seconds from now (chain time); round 1 starts then
  --grace-seconds G          time the aggregator has after a round's end to post it (default S)
  --claim-seconds C          claim window after the pool ends (60 s to 365 days; default 604800 = 7 days)
  --max-participants M       default 100
  --slash-bps B              most of a stake that can be slashed, in basis points (default 5000)
  --aggregator <wallet>      the aggregator's Solana wallet (default: yours)
  --aggregator-nostr <hex>   the aggregator's Nostr pubkey (default: yours; required with another --aggregator)
  --privacy sealed|public    who reads the participants' updates (default sealed): sealed — only the
                             aggregator (and whoever it gives a round's key); public — anyone (docs/protocol.md)
  --seal-keys <file>         sealed, with another aggregator: its round keys, the JSON of
                             \`fedstr-aggregator seal-keys --rounds N --json\` (derived here when you aggregate)
  --description <text>       shown in \`fedstr pools\` (default: the plan's description or name)
  --pool-id <u64>            pool id (default: a random u64; the pool address derives from it and your wallet)
The mint is --mint or the config's mint.

${COMMON_HELP}`;

const OPTIONS = {
  plan: { type: "string" },
  model: { type: "string" },
  reward: { type: "string" },
  "min-stake": { type: "string" },
  rounds: { type: "string" },
  "round-seconds": { type: "string" },
  "join-seconds": { type: "string" },
  "grace-seconds": { type: "string" },
  "claim-seconds": { type: "string" },
  "max-participants": { type: "string" },
  "slash-bps": { type: "string" },
  aggregator: { type: "string" },
  "aggregator-nostr": { type: "string" },
  privacy: { type: "string" },
  "seal-keys": { type: "string" },
  description: { type: "string" },
  "pool-id": { type: "string" },
} as const;

function required<T>(v: T | undefined, flag: string): T {
  if (v === undefined) throw new UsageError(`--${flag} is required`);
  return v;
}

function readInput(file: string, what: string): Buffer {
  if (!existsSync(file)) throw new ClientError("BadInput", `${what} file ${file} does not exist`);
  return readFileSync(file);
}

/** The model's tensors (names, shapes, dtypes) must be those of the plan's topology. */
export async function checkModelMatchesPlan(plan: TrainingPlan, weights: Weights): Promise<string | undefined> {
  const { tf } = await loadTf();
  const model = await buildModel(tf, plan);
  try {
    const names = modelWeightNames(model);
    const shapes = model.layers.flatMap((l) => l.weights.map((w) => w.shape as number[]));
    if (weights.length !== names.length)
      return `the model has ${weights.length} tensors, the plan's topology ${names.length}`;
    for (const [i, w] of weights.entries()) {
      if (w.name !== names[i]) return `tensor ${i} is ${w.name}, the plan's topology has ${names[i]}`;
      if (w.dtype !== "float32") return `tensor ${w.name} is ${w.dtype}, expected float32`;
      if (w.shape.length !== shapes[i]!.length || w.shape.some((d, k) => d !== shapes[i]![k]))
        return `tensor ${w.name} has shape [${w.shape}], the plan's topology [${shapes[i]}]`;
    }
    return undefined;
  } finally {
    model.dispose();
  }
}

export async function main(argv: string[], out: Output): Promise<void> {
  const { values, positionals } = parseCommand(argv, OPTIONS, { max: 0, usage: "no arguments (all terms are flags)" });
  if (values.help) return out.result({ help }, help);
  void positionals;
  const planFile = required(values.plan, "plan");
  const modelFile = required(values.model, "model");
  required(values.reward, "reward");
  required(values["min-stake"], "min-stake");
  const rounds = required(intFlag(values.rounds, "rounds", { min: 1, max: 256 }), "rounds");
  const roundSeconds = required(
    intFlag(values["round-seconds"], "round-seconds", { min: 5, max: 30 * 86400 }),
    "round-seconds",
  );
  const joinSeconds = required(
    intFlag(values["join-seconds"], "join-seconds", { min: 1, max: 365 * 86400 }),
    "join-seconds",
  );
  const graceSeconds = intFlag(values["grace-seconds"], "grace-seconds", { min: 0, max: 30 * 86400 }) ?? roundSeconds;
  const claimSeconds = intFlag(values["claim-seconds"], "claim-seconds", { min: 60, max: 365 * 86400 }) ?? 7 * 86400;
  const maxParticipants = intFlag(values["max-participants"], "max-participants", { min: 1, max: 0xffff_ffff }) ?? 100;
  const slashBps = intFlag(values["slash-bps"], "slash-bps", { min: 0, max: 10_000 }) ?? 5000;
  const privacy = values.privacy ?? "sealed";
  if (privacy !== "sealed" && privacy !== "public")
    throw new UsageError(`--privacy must be sealed or public, got ${JSON.stringify(privacy)}`);
  if (values["seal-keys"] !== undefined && privacy !== "sealed")
    throw new UsageError("--seal-keys goes with --privacy sealed");
  let sealKeys: unknown;
  if (values["seal-keys"] !== undefined) {
    try {
      sealKeys = JSON.parse(readInput(values["seal-keys"], "seal keys").toString("utf8"));
    } catch (e) {
      if (e instanceof ClientError) throw e;
      throw new ClientError("BadInput", `seal keys file ${values["seal-keys"]} is not JSON: ${(e as Error).message}`);
    }
  }
  const aggregatorNostr = values["aggregator-nostr"];
  if (aggregatorNostr !== undefined && !/^[0-9a-f]{64}$/.test(aggregatorNostr))
    throw new UsageError(
      `--aggregator-nostr must be a Nostr pubkey (64 lower-case hex digits), got ${JSON.stringify(aggregatorNostr)}`,
    );
  if (values.description !== undefined && values.description.length > 4096)
    throw new UsageError("--description is longer than 4096 characters");
  let poolId: bigint | undefined;
  if (values["pool-id"] !== undefined) {
    if (!/^[0-9]{1,20}$/.test(values["pool-id"]) || BigInt(values["pool-id"]) > 0xffff_ffff_ffff_ffffn)
      throw new UsageError(`--pool-id must be a u64, got ${JSON.stringify(values["pool-id"])}`);
    poolId = BigInt(values["pool-id"]);
  }
  const aggregatorWallet =
    values.aggregator !== undefined ? parseAddress(values.aggregator, "--aggregator") : undefined;

  // The plan and the model, before anything touches the chain.
  const planBytes = readInput(planFile, "plan");
  const plan = parsePlan(planBytes);
  const modelBytes = readInput(modelFile, "model");
  let weights: Weights;
  try {
    weights = decode(modelBytes);
  } catch (e) {
    if (e instanceof CodecError)
      throw new ClientError("ModelMismatch", `model ${modelFile} is not FSTW weights: ${e.message}`);
    throw e;
  }
  const modelSha = toHex(hashBytes(modelBytes));
  if (modelSha !== plan.model.initialWeights.sha256)
    throw new ClientError(
      "ModelMismatch",
      `model ${modelFile} has sha256 ${modelSha}, the plan's model.initialWeights.sha256 is ${plan.model.initialWeights.sha256}`,
    );
  const budget = aggregationBudget(plan, maxParticipants);
  if (!budget.ok)
    throw new UsageError(
      `--max-participants ${maxParticipants} is too many for the plan's aggregation: ${budget.detail}`,
    );
  const mismatch = await checkModelMatchesPlan(plan, weights);
  if (mismatch !== undefined)
    throw new ClientError("ModelMismatch", `model ${modelFile} does not fit the plan's topology: ${mismatch}`);

  await withSession(values, async (session) => {
    const me = session.wallet.publicKey;
    const mint = session.config.mint;
    if (mint === undefined) throw new UsageError("no mint: pass --mint <address> (or set mint in the config file)");
    const aggregator = aggregatorWallet ?? me;
    if (aggregatorNostr === undefined && !aggregator.equals(me))
      throw new UsageError("--aggregator-nostr <hex> is required when the aggregator is another wallet");
    const aggregatorPubkey = aggregatorNostr ?? session.nostr.pubkey;
    // Sealed: the aggregator's round keys go into the job request (its id goes on chain), so they are
    // fixed before anyone seals.
    let seal: { id: string; keys: string[] } | undefined;
    if (privacy === "sealed") {
      if (sealKeys !== undefined)
        seal = sealKeys as { id: string; keys: string[] }; // checked by the job request's parser below
      else if (aggregatorPubkey === session.nostr.pubkey)
        seal = await createSealKeySet(session.nostr.secretKey, rounds);
      else
        throw new UsageError(
          "--seal-keys <file> is required for a sealed pool with another aggregator (it writes them with `fedstr-aggregator seal-keys --rounds N --json`)",
        );
    }
    const decimals = await mintDecimals(session.connection, mint);
    const reward = amountFlag(values.reward, "reward", decimals)!;
    const minStake = amountFlag(values["min-stake"], "min-stake", decimals)!;
    if (reward === 0n) throw new UsageError("--reward must be positive");
    const fmt = (v: bigint) => `${formatAmount(v, decimals)} ${mint.toBase58()}`;
    const token = await tokenAccountOf(session.connection, me, mint);
    if (token.amount === null)
      throw new ClientError(
        "NoTokenAccount",
        `wallet ${me.toBase58()} has no token account for mint ${mint.toBase58()} (expected ${token.address.toBase58()})`,
      );
    if (token.amount < reward)
      throw new ClientError(
        "InsufficientBalance",
        `insufficient balance: have ${formatAmount(token.amount, decimals)}, need ${fmt(reward)}`,
      );

    poolId ??= randomBytes(8).readBigUInt64LE();
    const [pool] = findPoolAddress(me, poolId, session.program.programId);
    if ((await session.connection.getAccountInfo(pool)) !== null)
      throw new ClientError(
        "BadInput",
        `pool id ${poolId} is already used by ${me.toBase58()}: ${pool.toBase58()} exists`,
      );
    const escrow = findEscrowAddress(pool, session.program.programId)[0];

    const store = await session.store();
    const planCid = (
      await withRetry("uploading the plan", () => store.put(planBytes, { name: "plan.json" }))
    ).toString();
    const modelCid = (
      await withRetry("uploading the model", () => store.put(modelBytes, { name: "model.fstw" }))
    ).toString();
    if (plan.model.initialWeights.cid !== undefined && plan.model.initialWeights.cid !== modelCid) {
      throw new ClientError(
        "ModelMismatch",
        `the plan names initial weights ${plan.model.initialWeights.cid}, the model file is ${modelCid}`,
      );
    }
    out.info(`plan ${planCid}, model ${modelCid}`);

    const now = await chainTime(session.connection);
    const joinDeadline = now + joinSeconds;
    const endDeadline = joinDeadline + rounds * roundSeconds;
    let event: ReturnType<typeof buildJobRequest>;
    try {
      event = buildJobRequest(
        {
          programId: session.program.programId.toBase58(),
          cluster: session.config.cluster,
          pool: pool.toBase58(),
          planCid,
          initialModelCid: modelCid,
          rounds,
          reward: { amount: reward.toString(), mint: mint.toBase58() },
          stake: { amount: minStake.toString(), mint: mint.toBase58() },
          deadlines: { join: joinDeadline, end: endDeadline, roundSeconds },
          relays: session.config.relays,
          aggregator: aggregatorPubkey,
          privacy,
          ...(seal !== undefined ? { seal } : {}),
          description: values.description ?? plan.description ?? plan.name,
        },
        session.nostr.secretKey,
      );
    } catch (e) {
      if (e instanceof ProtocolError && sealKeys !== undefined && /seal/.test(e.message))
        throw new ClientError("BadInput", `--seal-keys ${values["seal-keys"]}: ${e.message}`);
      throw e;
    }
    // Kept so the request can be published again by hand if no relay takes it now.
    const eventFile = join(session.config.dataDir, "client", pool.toBase58(), "job-request.json");
    mkdirSync(join(session.config.dataDir, "client", pool.toBase58()), { recursive: true });
    writeFileSync(eventFile, `${JSON.stringify(event)}\n`);

    const ix = await createPoolIx(session.program, {
      creator: me,
      poolId,
      mint,
      creatorToken: token.address,
      aggregator,
      rewardAmount: reward,
      minStake,
      maxParticipants,
      numRounds: rounds,
      roundDuration: roundSeconds,
      joinDeadline,
      gracePeriod: graceSeconds,
      claimWindow: claimSeconds,
      slashLimitBps: slashBps,
      nostrJobId: Buffer.from(event.id, "hex"),
      trainingPlanCid: cidToBytes(planCid),
      initialModelCid: cidToBytes(modelCid),
    });
    out.info(`creating pool ${pool.toBase58()} (reward ${fmt(reward)}, ${rounds} rounds of ${roundSeconds}s)`);
    const signature = await session.send("create_pool", [ix]);
    try {
      await publishEvent(await session.relays(), event, { what: "job request", info: (m) => out.info(m) });
    } catch (e) {
      throw new ClientError(
        "PublishFailed",
        `pool ${pool.toBase58()} was created (${signature}) but its job request was not published: ${(e as Error).message}; the event is in ${eventFile}`,
      );
    }
    out.result(
      {
        pool: pool.toBase58(),
        poolId: poolId.toString(),
        jobId: event.id,
        privacy,
        planCid,
        modelCid,
        escrow: escrow.toBase58(),
        reward: reward.toString(),
        signature,
        joinDeadline,
        endDeadline,
      },
      [
        `created pool ${pool.toBase58()}`,
        `  reward        ${fmt(reward)} in escrow ${escrow.toBase58()}`,
        `  min stake     ${fmt(minStake)}`,
        `  rounds        ${rounds} × ${roundSeconds}s, joins close ${formatTime(joinDeadline)}, ends ${formatTime(endDeadline)}`,
        `  aggregator    ${aggregator.toBase58()} (nostr ${aggregatorPubkey})`,
        `  privacy       ${privacy === "sealed" ? "sealed: updates encrypted to the aggregator's round keys" : "public: updates readable by anyone"}`,
        `  job request   ${event.id}`,
        `  plan / model  ${planCid} / ${modelCid}`,
        `  signature     ${signature}`,
      ].join("\n"),
    );
  });
}
