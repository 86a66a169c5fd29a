// Every instruction: happy path and each rejection, asserting the error name.

import { AnchorError } from "@coral-xyz/anchor";
import {
  BN,
  cidFromBytes,
  claimRewardIx,
  closeCommitmentIxs,
  closeRoundIx,
  countFitting,
  createPoolIx,
  fetchCommitment,
  fetchCommitmentsOfRound,
  fetchParticipant,
  fetchParticipantsOfPool,
  fetchPool,
  fetchPoolsByAggregator,
  fetchPoolsByCreator,
  fetchRoundResult,
  fetchRoundResultsOfPool,
  findCommitmentAddress,
  findParticipantAddress,
  findRoundAddress,
  fundPoolIx,
  hasClaimed,
  joinPoolIx,
  listClosableCommitments,
  PoolStatus,
  type PostRoundArgs,
  parseFedstrEvents,
  postRoundIx,
  rewardClaimFromJson,
  rewardTreeToJson,
  slashIx,
  withdrawStakeIx,
} from "@fedstr/sdk/program";
import { Keypair, PACKET_DATA_SIZE, PublicKey, Transaction } from "@solana/web3.js";
import { expect } from "chai";
import {
  cancel,
  cidOf,
  claim,
  claimArgs,
  closeCommitment,
  closeParticipant,
  closePool,
  closeRound,
  commit,
  expire,
  finalize,
  fund,
  join,
  type Member,
  newMember,
  nostrKeyOf,
  type PoolCtx,
  post,
  postArgs,
  rewardTree,
  roundDeadline,
  roundStart,
  setupPool,
  sha256,
  withdraw,
} from "./fixtures.js";
import { createEnv, errorOf, type TestEnv } from "./harness.js";

describe("fedstr program: instructions", function () {
  let env: TestEnv;
  const p = () => env.program;
  beforeEach(async () => {
    env = await createEnv();
  });
  const warp = async (t: bigint) => {
    if (!env.canWarp) return;
    await env.warpTo(t);
  };
  function needsWarp(this: Mocha.Context) {
    if (!env.canWarp) this.skip();
  }

  // A pool with two members, in round 1.
  async function running(): Promise<{ ctx: PoolCtx; a: Member; b: Member }> {
    const ctx = await setupPool(env);
    const a = await join(ctx);
    const b = await join(ctx);
    await warp(roundStart(ctx, 1));
    return { ctx, a, b };
  }

  describe("create_pool", () => {
    it("creates the pool, escrow and vault and escrows the reward", async () => {
      const ctx = await setupPool(env);
      const pool = (await fetchPool(p(), ctx.pool))!;
      expect(pool.creator.equals(ctx.creator.publicKey)).to.equal(true);
      expect(pool.aggregator.equals(ctx.aggregator.publicKey)).to.equal(true);
      expect(pool.totalFunded.toString()).to.equal("1000000");
      expect(pool.status).to.equal(PoolStatus.Active);
      expect(cidFromBytes(pool.trainingPlanCid).toString()).to.equal(cidFromBytes(ctx.args.trainingPlanCid).toString());
      expect(Buffer.from(pool.nostrJobId).equals(sha256("nostr job"))).to.equal(true);
      expect(await env.tokenBalance(ctx.escrow)).to.equal(1_000_000n);
      expect(await env.tokenBalance(ctx.vault)).to.equal(0n);
    });
    it("emits PoolCreated", async () => {
      const ctx = await setupPool(env, {}, false);
      const res = await env.send([await createPoolIx(p(), ctx.args)], [ctx.creator]);
      const ev = parseFedstrEvents(p(), res.logs);
      expect(ev.map((e) => e.name)).to.deep.equal(["poolCreated"]);
      expect(ev[0]!.name === "poolCreated" && ev[0]!.data.rewardAmount.toString()).to.equal("1000000");
    });
    it("rejects re-initialization", async () => {
      const ctx = await setupPool(env);
      expect(await errorOf(async () => env.send([await createPoolIx(p(), ctx.args)], [ctx.creator]))).to.equal(
        "AlreadyInitialized",
      );
    });
    it("rejects invalid parameters", async () => {
      const ctx = await setupPool(env, {}, false);
      const bad = async (over: object) =>
        errorOf(async () => env.send([await createPoolIx(p(), { ...ctx.args, ...over })], [ctx.creator]));
      expect(await bad({ rewardAmount: 0n })).to.equal("InvalidAmount");
      expect(await bad({ numRounds: 0 })).to.equal("InvalidParameter");
      expect(await bad({ numRounds: 257 })).to.equal("InvalidParameter");
      expect(await bad({ maxParticipants: 0 })).to.equal("InvalidParameter");
      expect(await bad({ slashLimitBps: 10_001 })).to.equal("InvalidParameter");
    });
    it("bounds the schedule (named errors), accepting the extremes", async () => {
      const ctx = await setupPool(env, {}, false);
      // LiteSVM's clock stands still; a validator's keeps running between reading it and sending
      // (and its Clock sysvar can lag Surfpool's own clock): pin it ahead and give the edges that
      // depend on "now" some slack there.
      let now = await env.now();
      const pinned = env.kind === "validator" ? 300n : 0n;
      if (pinned > 0n) await env.warpTo((now += pinned));
      const slack = env.kind === "validator" ? 30n : 0n;
      const args = { ...ctx.args, joinDeadline: BigInt(ctx.args.joinDeadline) + pinned };
      const day = 86_400n;
      const bad = async (over: object) =>
        errorOf(async () => env.send([await createPoolIx(p(), { ...args, ...over })], [ctx.creator]));
      expect(await bad({ roundDuration: 0n })).to.equal("InvalidRoundDuration");
      expect(await bad({ roundDuration: 4n })).to.equal("InvalidRoundDuration");
      expect(await bad({ roundDuration: 30n * day + 1n })).to.equal("InvalidRoundDuration");
      expect(await bad({ roundDuration: 10n ** 15n })).to.equal("InvalidRoundDuration");
      expect(await bad({ roundDuration: 2n ** 62n })).to.equal("InvalidRoundDuration");
      expect(await bad({ joinDeadline: now })).to.equal("InvalidJoinDeadline");
      expect(await bad({ joinDeadline: now + 365n * day + 1n + slack })).to.equal("InvalidJoinDeadline");
      expect(await bad({ gracePeriod: -1n })).to.equal("InvalidGracePeriod");
      expect(await bad({ gracePeriod: 30n * day + 1n })).to.equal("InvalidGracePeriod");
      expect(await bad({ claimWindow: 0n })).to.equal("InvalidClaimWindow");
      expect(await bad({ claimWindow: 59n })).to.equal("InvalidClaimWindow");
      expect(await bad({ claimWindow: 365n * day + 1n })).to.equal("InvalidClaimWindow");
      // each bound alone is fine, together they exceed 3 years
      expect(await bad({ numRounds: 256, roundDuration: 30n * day })).to.equal("ScheduleTooLong");
      expect(
        await bad({
          joinDeadline: now + 365n * day,
          numRounds: 24,
          roundDuration: 30n * day,
          gracePeriod: 30n * day,
          claimWindow: 365n * day,
        }),
      ).to.equal("ScheduleTooLong");
      // the smallest accepted schedule: 5 s rounds, no grace, 60 s claim window
      await env.send(
        [
          await createPoolIx(p(), {
            ...args,
            roundDuration: 5n,
            joinDeadline: now + 1n + slack,
            gracePeriod: 0n,
            claimWindow: 60n,
          }),
        ],
        [ctx.creator],
      );
      expect((await fetchPool(p(), ctx.pool))!.roundDuration.toString()).to.equal("5");
    });
    it("rejects invalid CIDs", async () => {
      const ctx = await setupPool(env, {}, false);
      const cidv0ish = Uint8Array.from([0x12, 0x20, ...sha256("x"), 0, 0]);
      const wrongCodec = Uint8Array.from([0x01, 0x71, 0x12, 0x20, ...sha256("x")]);
      const wrongHash = Uint8Array.from([0x01, 0x55, 0x13, 0x20, ...sha256("x")]);
      for (const c of [cidv0ish, wrongCodec, wrongHash]) {
        expect(
          await errorOf(async () =>
            env.send([await createPoolIx(p(), { ...ctx.args, trainingPlanCid: c })], [ctx.creator]),
          ),
        ).to.equal("InvalidCid");
      }
      expect(
        await errorOf(async () =>
          env.send([await createPoolIx(p(), { ...ctx.args, initialModelCid: wrongCodec })], [ctx.creator]),
        ),
      ).to.equal("InvalidCid");
    });
    it("rejects a token account of another mint and a non-mint", async () => {
      const ctx = await setupPool(env, {}, false);
      const otherMint = await env.createMint();
      const other = await env.createTokenAccount(otherMint, ctx.creator.publicKey);
      expect(
        await errorOf(async () =>
          env.send([await createPoolIx(p(), { ...ctx.args, creatorToken: other })], [ctx.creator]),
        ),
      ).to.equal("WrongMint");
      expect(
        await errorOf(async () =>
          env.send([await createPoolIx(p(), { ...ctx.args, mint: ctx.creatorToken })], [ctx.creator]),
        ),
      ).to.equal("WrongMint");
    });
    it("rejects wrong PDAs and duplicate accounts", async () => {
      const ctx = await setupPool(env, {}, false);
      const rnd = Keypair.generate().publicKey;
      expect(
        await errorOf(async () => env.send([await createPoolIx(p(), ctx.args, { pool: rnd })], [ctx.creator])),
      ).to.equal("InvalidPda");
      expect(
        await errorOf(async () => env.send([await createPoolIx(p(), ctx.args, { escrow: rnd })], [ctx.creator])),
      ).to.equal("InvalidPda");
      expect(
        await errorOf(async () => env.send([await createPoolIx(p(), ctx.args, { stakeVault: rnd })], [ctx.creator])),
      ).to.equal("InvalidPda");
      expect(
        await errorOf(async () =>
          env.send([await createPoolIx(p(), ctx.args, { stakeVault: ctx.escrow })], [ctx.creator]),
        ),
      ).to.equal("DuplicateAccount");
    });
    it("rejects a wrong token program", async () => {
      const ctx = await setupPool(env, {}, false);
      expect(
        await errorOf(async () =>
          env.send([await createPoolIx(p(), ctx.args, { tokenProgram: PublicKey.default })], [ctx.creator]),
        ),
      ).to.equal("InvalidProgram");
    });
  });

  describe("fund_pool", () => {
    it("tops up the escrow (creator only, right mint/vault, no overflow)", async () => {
      const ctx = await setupPool(env);
      const res = await fund(ctx, 500n);
      expect(parseFedstrEvents(p(), res.logs)[0]!.name).to.equal("poolFunded");
      expect(await env.tokenBalance(ctx.escrow)).to.equal(1_000_500n);
      const stranger = await newMember(ctx);
      expect(
        await errorOf(async () => fund(ctx, 5n, { signer: stranger.wallet, creatorToken: stranger.token })),
      ).to.equal("Unauthorized");
      expect(await errorOf(async () => fund(ctx, 0n))).to.equal("InvalidAmount");
      expect(
        await errorOf(async () =>
          env.send(
            [
              await fundPoolIx(
                p(),
                { creator: ctx.creator.publicKey, pool: ctx.pool, creatorToken: ctx.creatorToken, amount: 5n },
                { escrow: ctx.vault },
              ),
            ],
            [ctx.creator],
          ),
        ),
      ).to.equal("WrongVault");
      expect(await errorOf(async () => fund(ctx, 2n ** 64n - 1n))).to.equal("ArithmeticOverflow");
      const otherMint = await env.createMint();
      const other = await env.createTokenAccount(otherMint, ctx.creator.publicKey);
      expect(await errorOf(async () => fund(ctx, 5n, { creatorToken: other }))).to.equal("WrongMint");
    });
    it("rejects a non-pool account as pool", async () => {
      const ctx = await setupPool(env);
      expect(await errorOf(async () => fund(ctx, 5n, { pool: ctx.escrow }))).to.equal("InvalidAccountOwner");
    });
  });

  describe("join_pool", () => {
    it("stakes and records the participant", async () => {
      const ctx = await setupPool(env);
      const m = await join(ctx, 700n);
      const st = (await fetchParticipant(p(), m.state))!;
      expect(st.stake.toString()).to.equal("700");
      expect(Buffer.from(st.nostrPubkey).equals(nostrKeyOf(m.wallet.publicKey))).to.equal(true);
      expect((await fetchPool(p(), ctx.pool))!.openParticipants).to.equal(1);
      expect(st.authority.equals(m.wallet.publicKey)).to.equal(true);
      expect(await env.tokenBalance(ctx.vault)).to.equal(700n);
      expect((await fetchPool(p(), ctx.pool))!.participantCount).to.equal(1);
    });
    it("rejects low stake, joining twice, full pools, wrong vault/mint/PDA", async () => {
      const ctx = await setupPool(env, { maxParticipants: 2 });
      const m = await newMember(ctx);
      const ix = (stake: bigint, over = {}) =>
        joinPoolIx(
          p(),
          {
            participant: m.wallet.publicKey,
            pool: ctx.pool,
            participantToken: m.token,
            stake,
            nostrPubkey: nostrKeyOf(m.wallet.publicKey),
          },
          over,
        );
      expect(await errorOf(async () => env.send([await ix(99n)], [m.wallet]))).to.equal("StakeTooLow");
      expect(await errorOf(async () => env.send([await ix(100n, { stakeVault: ctx.escrow })], [m.wallet]))).to.equal(
        "WrongVault",
      );
      expect(
        await errorOf(async () => env.send([await ix(100n, { participantToken: ctx.vault })], [m.wallet])),
      ).to.equal("DuplicateAccount");
      expect(
        await errorOf(async () =>
          env.send(
            [await ix(100n, { participantState: findParticipantAddress(ctx.pool, ctx.creator.publicKey)[0] })],
            [m.wallet],
          ),
        ),
      ).to.equal("InvalidPda");
      const otherMint = await env.createMint();
      const other = await env.createTokenAccount(otherMint, m.wallet.publicKey);
      expect(await errorOf(async () => env.send([await ix(100n, { participantToken: other })], [m.wallet]))).to.equal(
        "WrongMint",
      );
      await env.send([await ix(100n)], [m.wallet]);
      expect(await errorOf(async () => env.send([await ix(100n)], [m.wallet]))).to.equal("AlreadyInitialized");
      await join(ctx);
      const late = await newMember(ctx);
      expect(
        await errorOf(async () =>
          env.send(
            [
              await joinPoolIx(p(), {
                participant: late.wallet.publicKey,
                pool: ctx.pool,
                participantToken: late.token,
                stake: 100n,
                nostrPubkey: nostrKeyOf(late.wallet.publicKey),
              }),
            ],
            [late.wallet],
          ),
        ),
      ).to.equal("PoolFull");
    });
    it("rejects joins after the deadline", async function () {
      needsWarp.call(this);
      const ctx = await setupPool(env);
      await env.warpTo(BigInt(ctx.args.joinDeadline));
      const m = await newMember(ctx);
      expect(
        await errorOf(async () =>
          env.send(
            [
              await joinPoolIx(p(), {
                participant: m.wallet.publicKey,
                pool: ctx.pool,
                participantToken: m.token,
                stake: 100n,
                nostrPubkey: nostrKeyOf(m.wallet.publicKey),
              }),
            ],
            [m.wallet],
          ),
        ),
      ).to.equal("JoinDeadlinePassed");
    });
  });

  describe("commit_update", () => {
    it("records the commitment and emits UpdateCommitted", async function () {
      needsWarp.call(this);
      const { ctx, a } = await running();
      const res = await commit(ctx, a, 1);
      const c = (await fetchCommitment(p(), findCommitmentAddress(ctx.pool, a.wallet.publicKey, 1)[0]))!;
      expect(c.round).to.equal(1);
      expect(c.samples.toString()).to.equal("10");
      expect((await fetchParticipant(p(), a.state))!.openCommitments).to.equal(1);
      expect(Buffer.from(c.updateCid).equals(Buffer.from(cidOf("u1")))).to.equal(true);
      expect(parseFedstrEvents(p(), res.logs)[0]!.name).to.equal("updateCommitted");
    });
    it("rejects a second commit, wrong rounds, out-of-window commits, bad CIDs, wrong PDA, strangers", async function () {
      needsWarp.call(this);
      const { ctx, a, b } = await running();
      await commit(ctx, a, 1);
      expect(await errorOf(() => commit(ctx, a, 1))).to.equal("AlreadyCommitted");
      expect(await errorOf(() => commit(ctx, b, 2))).to.equal("RoundNotOpen");
      expect(await errorOf(() => commit(ctx, b, 1, { updateCid: new Uint8Array(36) }))).to.equal("InvalidCid");
      expect(await errorOf(() => commit(ctx, b, 1, { samples: 0n }))).to.equal("InvalidSamples");
      const [, bump] = findCommitmentAddress(ctx.pool, b.wallet.publicKey, 1);
      expect(await errorOf(() => commit(ctx, b, 1, { bump: (bump + 255) % 256 }))).to.equal("InvalidPda");
      expect(await errorOf(() => commit(ctx, b, 1, {}, { participantState: a.state }))).to.equal("WrongPool");
      const stranger = await newMember(ctx);
      expect(await errorOf(() => commit(ctx, stranger, 1))).to.equal("InvalidAccountOwner");
      await env.warpTo(roundDeadline(ctx, 1));
      expect(await errorOf(() => commit(ctx, b, 1))).to.equal("RoundNotOpen");
    });
    it("rejects commits before round 1 starts", async () => {
      const ctx = await setupPool(env);
      const a = await join(ctx);
      expect(await errorOf(() => commit(ctx, a, 1))).to.equal("RoundNotOpen");
    });
  });

  describe("post_round", () => {
    it("stores the result, allocates the reward and finishes the pool after the last round", async function () {
      needsWarp.call(this);
      const ctx = await setupPool(env, { numRounds: 2 });
      await join(ctx);
      await env.warpTo(roundStart(ctx, 1) + 10n);
      const res = await post(ctx, 1, 300_000n);
      const ev = parseFedstrEvents(p(), res.logs)[0]!;
      expect(ev.name).to.equal("roundPosted");
      const rr = (await fetchRoundResult(p(), findRoundAddress(ctx.pool, 1)[0]))!;
      expect(rr.reward.toString()).to.equal("300000");
      expect(rr.metric.toString()).to.equal("912300");
      expect(Buffer.from(rr.reportCid).equals(Buffer.from(cidOf("report 1")))).to.equal(true);
      expect(Buffer.from(rr.reportSha256).equals(sha256("report 1"))).to.equal(true);
      await env.warpTo(roundStart(ctx, 2));
      await post(ctx, 2, 700_000n);
      const pool = (await fetchPool(p(), ctx.pool))!;
      expect(pool.status).to.equal(PoolStatus.Finished);
      expect(pool.totalAllocated.toString()).to.equal("1000000");
      expect(await errorOf(() => post(ctx, 3, 0n))).to.equal("PoolNotActive");
    });
    it("rejects strangers, wrong order, early/late posts, over-allocation, wrong PDA, bad CID", async function () {
      needsWarp.call(this);
      const ctx = await setupPool(env);
      expect(await errorOf(() => post(ctx, 1, 1n))).to.equal("RoundTooEarly");
      await env.warpTo(roundStart(ctx, 1));
      expect(await errorOf(() => post(ctx, 1, 1n, undefined, ctx.creator))).to.equal("Unauthorized");
      expect(await errorOf(() => post(ctx, 2, 1n))).to.equal("RoundOutOfOrder");
      expect(await errorOf(() => post(ctx, 1, 1_000_001n))).to.equal("RewardExceedsEscrow");
      expect(
        await errorOf(() =>
          post(ctx, 1, 1n, undefined, ctx.aggregator, { roundResult: findRoundAddress(ctx.pool, 2)[0] }),
        ),
      ).to.equal("InvalidPda");
      const postWith = async (over: Partial<PostRoundArgs>) =>
        env.send([await postRoundIx(p(), postArgs(ctx, 1, 0n, over))], [ctx.aggregator]);
      expect(await errorOf(() => postWith({ globalModelCid: new Uint8Array(36) }))).to.equal("InvalidCid");
      expect(await errorOf(() => postWith({ reportCid: new Uint8Array(36) }))).to.equal("InvalidCid");
      await env.warpTo(roundDeadline(ctx, 1) + BigInt(ctx.args.gracePeriod) + 1n);
      expect(await errorOf(() => post(ctx, 1, 1n))).to.equal("RoundPostingExpired");
    });
  });

  describe("claim_reward", () => {
    async function posted() {
      const { ctx, a, b } = await running();
      await commit(ctx, a, 1);
      await commit(ctx, b, 1);
      const tree = rewardTree(ctx, 1, [
        { m: a, reward: 60_000n },
        { m: b, reward: 40_000n },
      ]);
      await post(ctx, 1, tree.totalReward, tree.root);
      return { ctx, a, b, tree };
    }
    it("pays the reward once, with a valid proof (via the published JSON tree)", async function () {
      needsWarp.call(this);
      const { ctx, a, b, tree } = await posted();
      const before = await env.tokenBalance(a.token);
      const published = JSON.parse(JSON.stringify(rewardTreeToJson(ctx.pool, 1, tree)));
      const rr = (await fetchRoundResult(p(), findRoundAddress(ctx.pool, 1)[0]))!;
      const c = rewardClaimFromJson(published, a.wallet.publicKey, Uint8Array.from(rr.merkleRoot))!;
      expect(rewardClaimFromJson(published, Keypair.generate().publicKey)).to.equal(null);
      const res = await env.send(
        [await claimRewardIx(p(), { participant: a.wallet.publicKey, pool: ctx.pool, ...c, destination: a.token })],
        [a.wallet],
      );
      expect(await env.tokenBalance(a.token)).to.equal(before + 60_000n);
      expect(parseFedstrEvents(p(), res.logs)[0]!.name).to.equal("rewardClaimed");
      expect(hasClaimed((await fetchParticipant(p(), a.state))!, 1)).to.equal(true);
      expect(await errorOf(() => claim(ctx, a, tree, 0))).to.equal("AlreadyClaimed");
      // getProgramAccounts-based queries (served by the harness from the accounts it has seen)
      expect(
        (await fetchParticipantsOfPool(p(), ctx.pool)).map((x) => x.account.authority.toBase58()).sort(),
      ).to.deep.equal([a, b].map((m) => m.wallet.publicKey.toBase58()).sort());
      expect((await fetchCommitmentsOfRound(p(), ctx.pool, 1)).length).to.equal(2);
      expect((await fetchCommitmentsOfRound(p(), ctx.pool, 2)).length).to.equal(0);
      expect((await fetchRoundResultsOfPool(p(), ctx.pool)).map((x) => x.account.round)).to.deep.equal([1]);
      expect(
        (await fetchPoolsByAggregator(p(), ctx.aggregator.publicKey)).map((x) => x.publicKey.toBase58()),
      ).to.deep.equal([ctx.pool.toBase58()]);
      expect((await fetchPoolsByCreator(p(), ctx.creator.publicKey)).length).to.equal(1);
    });
    it("rejects forged amounts, wrong proofs, other people's leaves and wrong accounts", async function () {
      needsWarp.call(this);
      const { ctx, a, b, tree } = await posted();
      expect(await errorOf(() => claim(ctx, a, tree, 0, { amount: 60_001n }))).to.equal("InvalidProof");
      expect(await errorOf(() => claim(ctx, a, tree, 0, { proof: [] }))).to.equal("InvalidProof");
      // b presents a's leaf: the leaf binds the participant key.
      expect(await errorOf(() => claim(ctx, b, tree, 0, { destination: b.token }))).to.equal("InvalidProof");
      // someone signs with a's participant state
      expect(
        await errorOf(() =>
          claim(ctx, a, tree, 0, { signer: b.wallet, destination: b.token }, { participantState: a.state }),
        ),
      ).to.equal("WrongPool");
      expect(await errorOf(() => claim(ctx, a, tree, 0, {}, { escrow: ctx.vault }))).to.equal("WrongVault");
      expect(await errorOf(() => claim(ctx, a, tree, 0, { destination: ctx.vault }))).to.equal("DuplicateAccount");
      expect(await errorOf(() => claim(ctx, a, tree, 0, {}, { roundResult: a.state }))).to.equal(
        "InvalidDiscriminator",
      );
    });
    it("caps a round's claims at its reward", async function () {
      needsWarp.call(this);
      const { ctx, a, b } = await running();
      // Aggregator posts a root whose leaves sum to more than the round reward.
      const tree = rewardTree(ctx, 1, [
        { m: a, reward: 60_000n },
        { m: b, reward: 60_000n },
      ]);
      await post(ctx, 1, 100_000n, tree.root);
      await claim(ctx, a, tree, 0);
      expect(await errorOf(() => claim(ctx, b, tree, 1))).to.equal("RoundRewardExceeded");
    });
    it("closes claims after the claim window and after finalization", async function () {
      needsWarp.call(this);
      const ctx = await setupPool(env, { numRounds: 1 });
      const a = await join(ctx);
      await env.warpTo(roundStart(ctx, 1));
      const tree = rewardTree(ctx, 1, [
        { m: a, reward: 10n },
        { m: a, reward: 20n },
      ]);
      await post(ctx, 1, 30n, tree.root);
      await env.warpTo(roundStart(ctx, 1) + BigInt(ctx.args.claimWindow) + 1n);
      expect(await errorOf(() => claim(ctx, a, tree, 0))).to.equal("ClaimWindowClosed");
    });
  });

  describe("slash", () => {
    it("moves stake to the escrow within the slash limit", async function () {
      needsWarp.call(this);
      const { ctx, a } = await running();
      await commit(ctx, a, 1);
      const build = async (
        amount: bigint,
        over: Partial<{ reason: number; evidenceCid: Uint8Array; round: number }> = {},
        signer = ctx.aggregator,
        accounts = {},
      ) =>
        env.send(
          [
            await slashIx(
              p(),
              {
                aggregator: signer.publicKey,
                pool: ctx.pool,
                participant: a.wallet.publicKey,
                round: 1,
                amount,
                reason: 1,
                evidenceCid: cidOf("evidence"),
                ...over,
              },
              accounts,
            ),
          ],
          [signer],
        );
      const res = await build(300n);
      expect(parseFedstrEvents(p(), res.logs)[0]!.name).to.equal("participantSlashed");
      expect(await env.tokenBalance(ctx.vault)).to.equal(1_700n);
      expect(await env.tokenBalance(ctx.escrow)).to.equal(1_000_300n);
      const pool = (await fetchPool(p(), ctx.pool))!;
      expect(pool.totalFunded.toString()).to.equal("1000300");
      expect(pool.totalStaked.toString()).to.equal("1700");
      expect(await errorOf(() => build(201n))).to.equal("SlashLimitExceeded"); // 50% of 1000
      expect(await errorOf(() => build(1n, {}, ctx.creator))).to.equal("Unauthorized");
      expect(await errorOf(() => build(1n, { reason: 0 }))).to.equal("InvalidSlashReason");
      expect(await errorOf(() => build(1n, { evidenceCid: new Uint8Array(36) }))).to.equal("InvalidCid");
      expect(await errorOf(() => build(0n))).to.equal("InvalidAmount");
      expect(await errorOf(() => build(1n, {}, ctx.aggregator, { stakeVault: ctx.escrow }))).to.equal("WrongVault");
      expect(await errorOf(() => build(1n, { round: 2 }))).to.equal("InvalidAccountOwner"); // no commitment for round 2
    });
    it("requires the commitment of the slashed participant", async function () {
      needsWarp.call(this);
      const { ctx, a, b } = await running();
      await commit(ctx, a, 1);
      const r = await errorOf(async () =>
        env.send(
          [
            await slashIx(
              p(),
              {
                aggregator: ctx.aggregator.publicKey,
                pool: ctx.pool,
                participant: b.wallet.publicKey,
                round: 1,
                amount: 1n,
                reason: 1,
                evidenceCid: cidOf("e"),
              },
              { commitment: findCommitmentAddress(ctx.pool, a.wallet.publicKey, 1)[0] },
            ),
          ],
          [ctx.aggregator],
        ),
      );
      expect(r).to.equal("WrongPool");
    });
    it("refuses a round that is already posted, whether or not its commitment is still open", async function () {
      needsWarp.call(this);
      const { ctx, a } = await running();
      await commit(ctx, a, 1);
      await post(ctx, 1, 10n);
      const slash = async () =>
        env.send(
          [
            await slashIx(p(), {
              aggregator: ctx.aggregator.publicKey,
              pool: ctx.pool,
              participant: a.wallet.publicKey,
              round: 1,
              amount: 1n,
              reason: 1,
              evidenceCid: cidOf("e"),
            }),
          ],
          [ctx.aggregator],
        );
      expect(await errorOf(slash)).to.equal("RoundAlreadyPosted");
      await closeCommitment(ctx, a, 1, a.wallet);
      expect(await errorOf(slash)).to.equal("RoundAlreadyPosted");
      expect((await fetchParticipant(p(), a.state))!.slashed.toString()).to.equal("0");
    });
  });

  describe("close_commitment before the pool ends", () => {
    const lamports = async (a: PublicKey) => (await p().provider.connection.getAccountInfo(a))?.lamports ?? 0;
    const range = (from: number, to: number) => Array.from({ length: to - from + 1 }, (_, i) => from + i);
    it("closes once the round is posted, by anyone, with the rent to the participant", async function () {
      needsWarp.call(this);
      const { ctx, a, b } = await running();
      await commit(ctx, a, 1);
      await commit(ctx, b, 1);
      const stranger = await newMember(ctx);
      expect(await errorOf(() => closeCommitment(ctx, a, 1, stranger.wallet))).to.equal("RoundNotPosted");
      await post(ctx, 1, 10n);
      const address = findCommitmentAddress(ctx.pool, a.wallet.publicKey, 1)[0];
      const rent = await lamports(address);
      expect(rent).to.be.greaterThan(0);
      const aBefore = await lamports(a.wallet.publicKey);
      const strangerBefore = await lamports(stranger.wallet.publicKey);
      const res = await closeCommitment(ctx, a, 1, stranger.wallet);
      const ev = parseFedstrEvents(p(), res.logs)[0]!;
      expect(ev.name === "accountClosed" && ev.data.rentReceiver.toBase58()).to.equal(a.wallet.publicKey.toBase58());
      expect(await lamports(a.wallet.publicKey)).to.equal(aBefore + rent);
      expect(await lamports(stranger.wallet.publicKey)).to.equal(strangerBefore); // the sender gets none of it
      expect(await env.accountExists(address)).to.equal(false);
      expect((await fetchParticipant(p(), a.state))!.openCommitments).to.equal(0);
      // b's own close in the same round works too; a second close of a's finds no account.
      await closeCommitment(ctx, b, 1, b.wallet);
      expect(await errorOf(() => closeCommitment(ctx, a, 1, stranger.wallet))).to.equal("InvalidAccountOwner");
    });
    it("lists a wallet's closable commitments; a claim carries as many closes as fit in one transaction", async function () {
      needsWarp.call(this);
      const ctx = await setupPool(env, { numRounds: 20 });
      const a = await join(ctx);
      const b = await join(ctx);
      const tree = rewardTree(ctx, 20, [{ m: a, reward: 10n }]);
      const closable = async () =>
        (await listClosableCommitments(p(), ctx.pool, a.wallet.publicKey, (await fetchPool(p(), ctx.pool))!)).map(
          (c) => c.round,
        );
      for (let r = 1; r <= 20; r++) {
        await warp(roundStart(ctx, r));
        await commit(ctx, a, r, { updateHash: r === 20 ? tree.leaves[0]!.updateHash : sha256(`a ${r}`) });
        if (r === 1) await commit(ctx, b, 1);
        if (r === 20) expect(await closable(), "the open round is not listed").to.deep.equal(range(1, 19));
        await post(ctx, r, 10n, r === 20 ? tree.root : new Uint8Array(32));
      }
      const listed = await listClosableCommitments(
        p(),
        ctx.pool,
        a.wallet.publicKey,
        (await fetchPool(p(), ctx.pool))!,
      );
      expect(
        listed.map((c) => c.round),
        "a's own, every round posted",
      ).to.deep.equal(range(1, 20));
      const claimIx = await claimRewardIx(p(), claimArgs(ctx, a, tree, 0, { round: 20 }));
      const closes = await closeCommitmentIxs(p(), {
        caller: a.wallet.publicKey,
        participant: a.wallet.publicKey,
        pool: ctx.pool,
        rounds: listed.map((c) => c.round),
      });
      const n = countFitting(env.payer.publicKey, [claimIx], closes);
      expect(n, "the size limit bites before 20 closes").to.be.within(1, 19);
      const signed = (k: number) => {
        const tx = new Transaction({ feePayer: env.payer.publicKey, recentBlockhash: PublicKey.default.toBase58() });
        tx.add(claimIx, ...closes.slice(0, k)).sign(env.payer, a.wallet);
        return tx;
      };
      expect(signed(n).serialize().length).to.be.at.most(PACKET_DATA_SIZE);
      expect(() => signed(n + 1).serialize(), "one more close").to.throw(/too large/i);
      const before = await lamports(a.wallet.publicKey);
      await env.send([claimIx, ...closes.slice(0, n)], [a.wallet]);
      const rent = listed.slice(0, n).reduce((s, c) => s + c.lamports, 0);
      expect(await lamports(a.wallet.publicKey)).to.equal(before + rent);
      expect(await closable()).to.deep.equal(range(n + 1, 20));
      expect((await fetchParticipant(p(), a.state))!.openCommitments).to.equal(20 - n);
      expect(hasClaimed((await fetchParticipant(p(), a.state))!, 20)).to.equal(true);
    });
    it("keeps the round closed: no re-commit of a closed round, the open round stays unclosable", async function () {
      needsWarp.call(this);
      const { ctx, a } = await running();
      await commit(ctx, a, 1);
      await post(ctx, 1, 10n);
      await closeCommitment(ctx, a, 1);
      expect(await errorOf(() => commit(ctx, a, 1))).to.equal("AlreadyCommitted"); // rounds strictly increase
      await warp(roundStart(ctx, 2));
      await commit(ctx, a, 2);
      expect(await errorOf(() => closeCommitment(ctx, a, 2))).to.equal("RoundNotPosted");
      expect((await fetchParticipant(p(), a.state))!.openCommitments).to.equal(1);
    });
  });

  describe("cancel_pool / withdraw_stake", () => {
    it("creator cancels before round 1; rewards back; stakes withdrawable once", async () => {
      const ctx = await setupPool(env);
      const a = await join(ctx, 500n);
      const wd = async () => withdraw(ctx, a);
      expect(await errorOf(wd)).to.equal("StakeLocked");
      const stranger = await newMember(ctx);
      expect(await errorOf(async () => cancel(ctx, { signer: stranger.wallet }))).to.equal("Unauthorized");
      expect(await errorOf(async () => cancel(ctx, { creatorToken: stranger.token }))).to.equal("Unauthorized");
      const before = await env.tokenBalance(ctx.creatorToken);
      const res = await cancel(ctx);
      expect(parseFedstrEvents(p(), res.logs)[0]!.name).to.equal("poolCancelled");
      expect(await env.tokenBalance(ctx.creatorToken)).to.equal(before + 1_000_000n);
      expect(await env.tokenBalance(ctx.escrow)).to.equal(0n);
      expect(await errorOf(async () => withdraw(ctx, a, ctx.escrow))).to.equal("DuplicateAccount");
      expect(
        await errorOf(async () =>
          env.send(
            [
              await withdrawStakeIx(
                p(),
                { participant: a.wallet.publicKey, pool: ctx.pool, destination: a.token },
                { stakeVault: ctx.escrow },
              ),
            ],
            [a.wallet],
          ),
        ),
      ).to.equal("WrongVault");
      const r = await wd();
      expect(parseFedstrEvents(p(), r.logs)[0]!.name).to.equal("stakeWithdrawn");
      expect(await env.tokenBalance(a.token)).to.equal(10_000n);
      expect(await errorOf(wd)).to.equal("NothingToWithdraw");
      expect(await errorOf(async () => cancel(ctx))).to.equal("PoolNotActive");
    });
    it("cannot cancel after the first round is posted", async function () {
      needsWarp.call(this);
      const { ctx } = await running();
      await post(ctx, 1, 10n);
      expect(await errorOf(async () => cancel(ctx))).to.equal("CancelNotAllowed");
    });
  });

  describe("expire_pool / finalize_pool / close", () => {
    it("expires a pool whose aggregator went silent; posted rewards stay claimable; finalize; close everything", async function () {
      needsWarp.call(this);
      const { ctx, a, b } = await running();
      await commit(ctx, a, 1);
      const tree = rewardTree(ctx, 1, [
        { m: a, reward: 100_000n },
        { m: b, reward: 50_000n },
      ]);
      await post(ctx, 1, 150_000n, tree.root);
      const expireByB = () => expire(ctx, b.wallet);
      await env.warpTo(roundDeadline(ctx, 2) + BigInt(ctx.args.gracePeriod));
      expect(await errorOf(expireByB)).to.equal("NotExpired");
      await env.warpTo(roundDeadline(ctx, 2) + BigInt(ctx.args.gracePeriod) + 1n);
      const before = await env.tokenBalance(ctx.creatorToken);
      const res = await expireByB();
      expect(parseFedstrEvents(p(), res.logs)[0]!.name).to.equal("poolExpired");
      expect(await env.tokenBalance(ctx.creatorToken)).to.equal(before + 850_000n);
      expect(await env.tokenBalance(ctx.escrow)).to.equal(150_000n);
      expect(await errorOf(expireByB)).to.equal("PoolNotActive");
      // a claims; b never does.
      await claim(ctx, a, tree, 0);
      const finalizeByA = () => finalize(ctx, a.wallet);
      expect(await errorOf(finalizeByA)).to.equal("ClaimWindowOpen");
      const closeP = () => closePool(ctx);
      expect(await errorOf(closeP)).to.equal("PoolNotFinalized");
      const closeRoundByB = () => closeRound(ctx, 1, b.wallet);
      expect(await errorOf(closeRoundByB)).to.equal("PoolNotFinalized");
      await env.warpTo((await env.now()) + BigInt(ctx.args.claimWindow) + 1n);
      const f = await finalizeByA();
      expect(parseFedstrEvents(p(), f.logs)[0]!.name).to.equal("poolFinalized");
      expect(await env.tokenBalance(ctx.escrow)).to.equal(0n);
      expect(await errorOf(finalizeByA)).to.equal("PoolNotActive");
      // a withdraws; b never does. Child accounts keep the pool open.
      await withdraw(ctx, a);
      expect(await errorOf(closeP)).to.equal("PoolHasOpenAccounts");
      // anyone (here the creator) closes the children; rent to whoever paid it
      const stranger = await newMember(ctx);
      const closePart = async (m: Member, dest = m.token, caller = ctx.creator) =>
        closeParticipant(ctx, m, caller, dest);
      expect(await errorOf(() => closePart(a))).to.equal("CommitmentsOpen");
      expect(
        await errorOf(async () =>
          closeCommitment(ctx, b, 1, ctx.creator, {
            commitment: findCommitmentAddress(ctx.pool, a.wallet.publicKey, 1)[0],
          }),
        ),
      ).to.equal("WrongPool");
      expect(
        await errorOf(async () => closeCommitment(ctx, a, 1, ctx.creator, { participant: b.wallet.publicKey })),
      ).to.equal("Unauthorized");
      const aRent = await env.program.provider.connection.getBalance(a.wallet.publicKey);
      await closeCommitment(ctx, a, 1);
      expect(await env.program.provider.connection.getBalance(a.wallet.publicKey)).to.be.greaterThan(aRent);
      // a's state with b named as its participant (b would get a's rent): refused like every foreign participant state
      expect(
        await errorOf(async () => closeParticipant(ctx, b, ctx.creator, b.token, { participantState: a.state })),
      ).to.equal("WrongPool");
      await closePart(a);
      expect(await env.accountExists(a.state)).to.equal(false);
      // b's stake goes to b's own token account, never to the caller's
      expect(await errorOf(() => closePart(b, stranger.token, stranger.wallet))).to.equal("Unauthorized");
      const bBefore = await env.tokenBalance(b.token);
      const closed = await closePart(b, b.token, stranger.wallet);
      expect(parseFedstrEvents(p(), closed.logs).map((e) => e.name)).to.deep.equal(["stakeWithdrawn", "accountClosed"]);
      expect(await env.tokenBalance(b.token)).to.equal(bBefore + 1_000n);
      expect(await errorOf(closeP)).to.equal("PoolHasOpenAccounts"); // the round result is still open
      expect(
        await errorOf(async () =>
          env.send(
            [
              await closeRoundIx(p(), {
                caller: b.wallet.publicKey,
                aggregator: b.wallet.publicKey,
                pool: ctx.pool,
                round: 1,
              }),
            ],
            [b.wallet],
          ),
        ),
      ).to.equal("Unauthorized");
      const aggBefore = (await p().provider.connection.getAccountInfo(ctx.aggregator.publicKey))!.lamports;
      await closeRoundByB();
      expect((await p().provider.connection.getAccountInfo(ctx.aggregator.publicKey))!.lamports).to.be.greaterThan(
        aggBefore,
      );
      expect(await env.accountExists(findRoundAddress(ctx.pool, 1)[0])).to.equal(false);
      expect(await errorOf(async () => closePool(ctx, { signer: a.wallet, creatorToken: a.token }))).to.equal(
        "Unauthorized",
      );
      await closeP();
      expect(await env.accountExists(ctx.pool)).to.equal(false);
      expect(await env.accountExists(ctx.escrow)).to.equal(false);
      expect(await env.accountExists(ctx.vault)).to.equal(false);
    });
    it("finalizes a finished pool after the claim window and refunds the unclaimed rest", async function () {
      needsWarp.call(this);
      const ctx = await setupPool(env, { numRounds: 1 });
      const a = await join(ctx);
      await env.warpTo(roundStart(ctx, 1));
      await post(ctx, 1, 400_000n);
      expect(await errorOf(async () => closeRound(ctx, 1, a.wallet))).to.equal("PoolNotFinalized");
      await env.warpTo(roundStart(ctx, 1) + BigInt(ctx.args.claimWindow) + 1n);
      const before = await env.tokenBalance(ctx.creatorToken);
      await finalize(ctx, a.wallet);
      expect(await env.tokenBalance(ctx.creatorToken)).to.equal(before + 1_000_000n);
      expect((await fetchPool(p(), ctx.pool))!.status).to.equal(PoolStatus.Finalized);
    });
    it("finalizes a cancelled pool at once and rejects finalizing an active one", async () => {
      const ctx = await setupPool(env);
      const fin = async () => finalize(ctx);
      expect(await errorOf(fin)).to.equal("ClaimWindowOpen");
      await cancel(ctx);
      await fin();
      await closePool(ctx);
      expect(await env.accountExists(ctx.pool)).to.equal(false);
    });
  });

  it("works through Anchor's own rpc() path and reports errors as AnchorError", async () => {
    const ctx = await setupPool(env);
    const accounts = {
      creator: ctx.creator.publicKey,
      pool: ctx.pool,
      escrow: ctx.escrow,
      creatorToken: ctx.creatorToken,
      tokenProgram: new PublicKey("TokenkegQfeZyiNwAJbNbGKPFXCWuBvf9Ss623VQ5DA"),
    };
    const sig = await p().methods.fundPool(new BN(7)).accountsStrict(accounts).signers([ctx.creator]).rpc();
    expect(sig).to.be.a("string");
    expect((await p().account.pool.fetch(ctx.pool)).totalFunded.toString()).to.equal("1000007");
    try {
      await p().methods.fundPool(new BN(0)).accountsStrict(accounts).signers([ctx.creator]).rpc();
      expect.fail("should have failed");
    } catch (e) {
      expect(e).to.be.instanceOf(AnchorError);
      expect((e as AnchorError).error.errorCode).to.deep.equal({ code: "InvalidAmount", number: 6020 });
    }
  });

  it("rejects an unknown instruction and garbage data", async () => {
    const ctx = await setupPool(env);
    const ix = await fundPoolIx(p(), {
      creator: ctx.creator.publicKey,
      pool: ctx.pool,
      creatorToken: ctx.creatorToken,
      amount: 1n,
    });
    const trailing = { ...ix, data: Buffer.concat([ix.data, Buffer.from([1])]) };
    expect(await errorOf(() => env.send([trailing], [ctx.creator]))).to.equal("InvalidInstructionData");
    const short = { ...ix, data: ix.data.subarray(0, 4) };
    expect(await errorOf(() => env.send([short], [ctx.creator]))).to.equal("InvalidInstructionData");
    const unknown = { ...ix, data: Buffer.concat([Buffer.from([1, 2, 3, 4, 5, 6, 7, 8]), ix.data.subarray(8)]) };
    expect(await errorOf(() => env.send([unknown], [ctx.creator]))).to.equal("InvalidInstructionData");
  });
});
