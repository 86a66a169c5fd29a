import { createHash } from "node:crypto";
import {
  buildRewardTree,
  type ClaimRewardArgs,
  type CreatePoolArgs,
  cancelPoolIx,
  claimRewardIx,
  closeCommitmentIx,
  closeParticipantIx,
  closePoolIx,
  closeRoundIx,
  commitUpdateIx,
  createPoolIx,
  expirePoolIx,
  finalizePoolIx,
  findEscrowAddress,
  findParticipantAddress,
  findPoolAddress,
  findStakeVaultAddress,
  fundPoolIx,
  joinPoolIx,
  type PostRoundArgs,
  postRoundIx,
  type RewardLeaf,
  withdrawStakeIx,
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

type CommitUpdateArgs = Parameters<typeof commitUpdateIx>[1];
type Accounts = Parameters<typeof commitUpdateIx>[2];

/** commit_update arguments for member m: an update whose hash is named after the round and the member. */
export const commitArgs = (
  ctx: PoolCtx,
  m: Member,
  round: number,
  over: Partial<CommitUpdateArgs> = {},
): CommitUpdateArgs => ({
  participant: m.wallet.publicKey,
  pool: ctx.pool,
  round,
  updateHash: sha256(`update ${round} ${m.wallet.publicKey.toBase58()}`),
  updateCid: cidOf(`u${round}`),
  samples: 10n,
  ...over,
});

/** post_round arguments by the pool's aggregator: a global model, report and metric named after the round. */
export const postArgs = (
  ctx: PoolCtx,
  round: number,
  reward: bigint,
  over: Partial<PostRoundArgs> = {},
): PostRoundArgs => ({
  aggregator: ctx.aggregator.publicKey,
  pool: ctx.pool,
  round,
  globalModelCid: cidOf(`g${round}`, 0x70),
  globalModelHash: sha256(`g${round}`),
  merkleRoot: new Uint8Array(32),
  metric: 912_300n,
  reward,
  acceptedCount: 2,
  reportCid: cidOf(`report ${round}`),
  reportSha256: sha256(`report ${round}`),
  ...over,
});

/**
 * claim_reward arguments for leaf i of the reward tree (of round 1 unless `over` names another), paid
 * to the member's token account.
 */
export const claimArgs = (
  ctx: PoolCtx,
  m: Member,
  tree: ReturnType<typeof rewardTree>,
  i: number,
  over: Partial<ClaimRewardArgs> = {},
): ClaimRewardArgs => {
  const leaf = tree.leaves[i]!;
  return {
    participant: m.wallet.publicKey,
    pool: ctx.pool,
    round: 1,
    weight: leaf.weight,
    amount: leaf.reward,
    updateHash: leaf.updateHash,
    proof: tree.proofs[i]!,
    destination: m.token,
    ...over,
  };
};

/** Member m commits its round update (commitArgs). */
export async function commit(
  ctx: PoolCtx,
  m: Member,
  round: number,
  over: Partial<CommitUpdateArgs> = {},
  accounts: Accounts = {},
) {
  return ctx.env.send([await commitUpdateIx(ctx.env.program, commitArgs(ctx, m, round, over), accounts)], [m.wallet]);
}

/** `signer` (the pool's aggregator unless named) posts a round (postArgs) with this reward and Merkle root. */
export async function post(
  ctx: PoolCtx,
  round: number,
  reward: bigint,
  merkleRoot: Uint8Array = new Uint8Array(32),
  signer: Keypair = ctx.aggregator,
  accounts: Accounts = {},
) {
  const args = postArgs(ctx, round, reward, { aggregator: signer.publicKey, merkleRoot });
  return ctx.env.send([await postRoundIx(ctx.env.program, args, accounts)], [signer]);
}

/** Member m (or `over.signer`, claiming for itself) claims leaf i of the tree (claimArgs). */
export async function claim(
  ctx: PoolCtx,
  m: Member,
  tree: ReturnType<typeof rewardTree>,
  i: number,
  over: Partial<ClaimRewardArgs> & { signer?: Keypair } = {},
  accounts: Accounts = {},
) {
  const { signer = m.wallet, ...args } = over;
  const ix = await claimRewardIx(
    ctx.env.program,
    claimArgs(ctx, m, tree, i, { participant: signer.publicKey, ...args }),
    accounts,
  );
  return ctx.env.send([ix], [signer]);
}

/** A creator's instruction signed by `signer`, for `pool` and `creatorToken` (by default the pool's own). */
interface CreatorOver {
  signer?: Keypair;
  pool?: PublicKey;
  creatorToken?: PublicKey;
}

function asCreator(ctx: PoolCtx, o: CreatorOver) {
  const signer = o.signer ?? ctx.creator;
  return {
    signer,
    accounts: { creator: signer.publicKey, pool: o.pool ?? ctx.pool, creatorToken: o.creatorToken ?? ctx.creatorToken },
  };
}

/** fund_pool: `amount` more reward into the escrow. */
export async function fund(ctx: PoolCtx, amount: bigint, o: CreatorOver = {}) {
  const { signer, accounts } = asCreator(ctx, o);
  return ctx.env.send([await fundPoolIx(ctx.env.program, { ...accounts, amount })], [signer]);
}

/** cancel_pool: the escrow back to the creator before the first round is posted. */
export async function cancel(ctx: PoolCtx, o: CreatorOver = {}) {
  const { signer, accounts } = asCreator(ctx, o);
  return ctx.env.send([await cancelPoolIx(ctx.env.program, accounts)], [signer]);
}

/** close_pool: a finalized pool's accounts closed, what is left to the creator. */
export async function closePool(ctx: PoolCtx, o: CreatorOver = {}) {
  const { signer, accounts } = asCreator(ctx, o);
  return ctx.env.send([await closePoolIx(ctx.env.program, accounts)], [signer]);
}

/** withdraw_stake: member m takes its stake back, to its token account unless `destination` names another. */
export async function withdraw(ctx: PoolCtx, m: Member, destination: PublicKey = m.token) {
  const ix = await withdrawStakeIx(ctx.env.program, { participant: m.wallet.publicKey, pool: ctx.pool, destination });
  return ctx.env.send([ix], [m.wallet]);
}

/** expire_pool by `caller` (anyone; default the creator): the unallocated reward back to the creator. */
export async function expire(ctx: PoolCtx, caller: Keypair = ctx.creator) {
  const ix = await expirePoolIx(ctx.env.program, {
    caller: caller.publicKey,
    pool: ctx.pool,
    creatorToken: ctx.creatorToken,
  });
  return ctx.env.send([ix], [caller]);
}

/** finalize_pool by `caller` (anyone; default the creator) once the claim window is over. */
export async function finalize(ctx: PoolCtx, caller: Keypair = ctx.creator) {
  const ix = await finalizePoolIx(ctx.env.program, {
    caller: caller.publicKey,
    pool: ctx.pool,
    creatorToken: ctx.creatorToken,
  });
  return ctx.env.send([ix], [caller]);
}

/** close_round of a finalized pool's round by `caller` (anyone; default the creator). */
export async function closeRound(ctx: PoolCtx, round: number, caller: Keypair = ctx.creator, accounts: Accounts = {}) {
  const args = { caller: caller.publicKey, aggregator: ctx.aggregator.publicKey, pool: ctx.pool, round };
  return ctx.env.send([await closeRoundIx(ctx.env.program, args, accounts)], [caller]);
}

/** close_commitment of member m's commitment of a round by `caller` (anyone; default the creator). */
export async function closeCommitment(
  ctx: PoolCtx,
  m: Member,
  round: number,
  caller: Keypair = ctx.creator,
  accounts: Accounts = {},
) {
  const args = { caller: caller.publicKey, participant: m.wallet.publicKey, pool: ctx.pool, round };
  return ctx.env.send([await closeCommitmentIx(ctx.env.program, args, accounts)], [caller]);
}

/** close_participant of member m by `caller` (anyone; default the creator); a stake left goes to `destination`. */
export async function closeParticipant(
  ctx: PoolCtx,
  m: Member,
  caller: Keypair = ctx.creator,
  destination: PublicKey = m.token,
  accounts: Accounts = {},
) {
  const args = { caller: caller.publicKey, participant: m.wallet.publicKey, pool: ctx.pool, destination };
  return ctx.env.send([await closeParticipantIx(ctx.env.program, args, accounts)], [caller]);
}
