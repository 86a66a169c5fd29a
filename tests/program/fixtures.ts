import { createHash } from "node:crypto";
import {
  buildRewardTree,
  type CreatePoolArgs,
  createPoolIx,
  findEscrowAddress,
  findParticipantAddress,
  findPoolAddress,
  findStakeVaultAddress,
  joinPoolIx,
  type RewardLeaf,
} from "@fedstr/sdk/program";
import type { Keypair, PublicKey } from "@solana/web3.js";
import type { TestEnv } from "./harness.js";

export const sha256 = (s: string | Uint8Array) => createHash("sha256").update(s).digest();
/** A valid on-chain CID (CIDv1 raw/dag-pb, sha2-256) of `content`. */
export const cidOf = (content: string, codec = 0x55) => Uint8Array.from([0x01, codec, 0x12, 0x20, ...sha256(content)]);

export interface PoolCtx {
  env: TestEnv;
  creator: Keypair;
  aggregator: Keypair;
  mint: PublicKey;
  creatorToken: PublicKey;
  poolId: bigint;
  pool: PublicKey;
  escrow: PublicKey;
  vault: PublicKey;
  args: CreatePoolArgs;
}

export interface Member {
  wallet: Keypair;
  token: PublicKey;
  state: PublicKey;
}

let nextPoolId = 1n;

export async function setupPool(env: TestEnv, over: Partial<CreatePoolArgs> = {}, create = true): Promise<PoolCtx> {
  const creator = await env.newWallet();
  const aggregator = await env.newWallet();
  const mint = over.mint ?? (await env.createMint());
  const creatorToken = await env.createTokenAccount(mint, creator.publicKey);
  await env.mintTo(mint, creatorToken, 10_000_000n);
  const now = await env.now();
  const poolId = BigInt(over.poolId ?? nextPoolId++);
  const args: CreatePoolArgs = {
    creator: creator.publicKey,
    poolId,
    mint,
    creatorToken,
    aggregator: aggregator.publicKey,
    rewardAmount: 1_000_000n,
    minStake: 100n,
    maxParticipants: 5,
    numRounds: 3,
    roundDuration: 100n,
    joinDeadline: now + 100n,
    gracePeriod: 50n,
    claimWindow: 200n,
    slashLimitBps: 5_000,
    nostrJobId: sha256("nostr job"),
    trainingPlanCid: cidOf("training plan"),
    initialModelCid: cidOf("initial model", 0x70),
    ...over,
  };
  const [pool] = findPoolAddress(creator.publicKey, poolId);
  const ctx: PoolCtx = {
    env,
    creator,
    aggregator,
    mint,
    creatorToken,
    poolId,
    pool,
    escrow: findEscrowAddress(pool)[0],
    vault: findStakeVaultAddress(pool)[0],
    args,
  };
  if (create) await env.send([await createPoolIx(env.program, args)], [creator]);
  return ctx;
}

export async function newMember(ctx: PoolCtx, balance = 10_000n): Promise<Member> {
  const wallet = await ctx.env.newWallet();
  const token = await ctx.env.createTokenAccount(ctx.mint, wallet.publicKey);
  await ctx.env.mintTo(ctx.mint, token, balance);
  return { wallet, token, state: findParticipantAddress(ctx.pool, wallet.publicKey)[0] };
}

/** A stand-in Nostr x-only public key for a participant wallet (any 32 bytes are accepted on chain). */
export const nostrKeyOf = (wallet: PublicKey) => sha256(`nostr ${wallet.toBase58()}`);

export async function join(ctx: PoolCtx, stake = 1_000n, m?: Member): Promise<Member> {
  m ??= await newMember(ctx);
  await ctx.env.send(
    [
      await joinPoolIx(ctx.env.program, {
        participant: m.wallet.publicKey,
        pool: ctx.pool,
        participantToken: m.token,
        stake,
        nostrPubkey: nostrKeyOf(m.wallet.publicKey),
      }),
    ],
    [m.wallet],
  );
  return m;
}

export const roundStart = (ctx: PoolCtx, r: number) =>
  BigInt(ctx.args.joinDeadline) + BigInt(r - 1) * BigInt(ctx.args.roundDuration);
export const roundDeadline = (ctx: PoolCtx, r: number) =>
  BigInt(ctx.args.joinDeadline) + BigInt(r) * BigInt(ctx.args.roundDuration);

export function rewardTree(ctx: PoolCtx, round: number, entries: { m: Member; reward: bigint; weight?: bigint }[]) {
  const leaves: RewardLeaf[] = entries.map((e, i) => ({
    participant: e.m.wallet.publicKey,
    updateHash: sha256(`update ${round} ${e.m.wallet.publicKey.toBase58()}`),
    weight: e.weight ?? BigInt(100 + i),
    reward: e.reward,
  }));
  return buildRewardTree(ctx.pool, round, leaves);
}
