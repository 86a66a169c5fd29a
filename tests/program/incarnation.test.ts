// Issue 9's attacks, each tried with real transactions against the built program: an account can
// only be used by the pool incarnation that created it, nothing a stranger sends (tokens, lamports,
// accounts) locks anyone's funds or rent, and only canonical addresses are accepted.

import { fetchPoolMint, freezeAuthorityWarning, summarizePool } from "@fedstr/sdk/job";
import {
  closeRoundIx,
  commitUpdateIx,
  createPoolIx,
  FEDSTR_PROGRAM_ID,
  fetchPool,
  findCommitmentAddress,
  findEscrowAddress,
  findPoolAddress,
  findRoundAddress,
  findStakeVaultAddress,
  postRoundIx,
  slashIx,
} from "@fedstr/sdk/program";
import {
  createInitializeMint2Instruction,
  createTransferInstruction,
  MINT_SIZE,
  TOKEN_PROGRAM_ID,
} from "@solana/spl-token";
import { Keypair, PublicKey, SystemProgram } from "@solana/web3.js";
import { expect } from "chai";
import {
  cidOf,
  claim,
  closeCommitment,
  closeParticipant,
  closePool,
  closeRound,
  commit,
  commitArgs,
  finalize,
  join,
  type Member,
  newMember,
  type PoolCtx,
  post,
  postArgs,
  rewardTree,
  roundStart,
  setupPool,
  withdraw,
} from "./fixtures.js";
import { createEnv, errorOf, type TestEnv } from "./harness.js";

/** The highest bump below the canonical one whose address is off the curve (a valid, non-canonical PDA). */
function nonCanonical(seeds: Buffer[], programId = FEDSTR_PROGRAM_ID): [PublicKey, number] {
  const [, canonical] = PublicKey.findProgramAddressSync(seeds, programId);
  for (let b = canonical - 1; b >= 0; b--) {
    try {
      return [PublicKey.createProgramAddressSync([...seeds, Buffer.from([b])], programId), b];
    } catch {
      /* on the curve: try the next bump */
    }
  }
  throw new Error("no non-canonical bump");
}

describe("fedstr program: pool incarnations, strangers' transfers, canonical addresses (issue 9)", function () {
  let env: TestEnv;
  const p = () => env.program;
  beforeEach(async () => {
    env = await createEnv();
  });

  /** Anyone (here a stranger) closes every child account of a finalized pool. */
  async function closeChildren(ctx: PoolCtx, members: Member[], committed: Member[], rounds: number) {
    const caller = await env.newWallet();
    for (const m of committed) await closeCommitment(ctx, m, 1, caller);
    for (const m of members) await closeParticipant(ctx, m, caller);
    for (let r = 1; r <= rounds; r++) await closeRound(ctx, r, caller);
  }
  /** A one-round pool: a committed and was rewarded (claimed half), b joined and never committed; finalized. */
  async function finalizedPool(over = {}) {
    const ctx = await setupPool(env, { numRounds: 1, ...over });
    const a = await join(ctx);
    const b = await join(ctx);
    await env.warpTo(roundStart(ctx, 1));
    await commit(ctx, a, 1);
    const tree = rewardTree(ctx, 1, [
      { m: a, reward: 5_000n },
      { m: a, reward: 5_000n },
    ]);
    await post(ctx, 1, tree.totalReward, tree.root);
    await claim(ctx, a, tree, 0);
    await env.warpTo((await env.now()) + BigInt(ctx.args.claimWindow) + 1n);
    await finalize(ctx);
    return { ctx, a, b, tree };
  }
  /** The same creator re-creates the pool id (same address) with fresh terms. */
  async function recreate(ctx: PoolCtx): Promise<PoolCtx> {
    const now = await env.now();
    await env.mintTo(ctx.mint, ctx.creatorToken, 1_000_000n);
    const args = { ...ctx.args, joinDeadline: now + 100n };
    await env.send([await createPoolIx(p(), args)], [ctx.creator]);
    return { ...ctx, args };
  }

  describe("a pool id re-used after close_pool", () => {
    it("close_pool is refused while participant or round accounts remain", async () => {
      const { ctx, a, b } = await finalizedPool();
      expect(await errorOf(() => closePool(ctx))).to.equal("PoolHasOpenAccounts");
      const pool = (await fetchPool(p(), ctx.pool))!;
      expect([pool.openParticipants, pool.openRounds]).to.deep.equal([2, 1]);
      await closeChildren(ctx, [a, b], [a], 0);
      expect(await errorOf(() => closePool(ctx))).to.equal("PoolHasOpenAccounts"); // the round result
      await closeChildren(ctx, [], [], 1);
      await closePool(ctx);
      expect(await env.accountExists(ctx.pool)).to.equal(false);
    });
    it("the new incarnation inherits nothing: no stale claim, no slash of a non-committer, rounds post and commit, expiry balances", async () => {
      const { ctx, a, b, tree } = await finalizedPool();
      await closeChildren(ctx, [a, b], [a], 1);
      await closePool(ctx);
      const again = await recreate(ctx);
      // a re-joins and replays its old leaf and proof: the old round result is gone.
      await join(again, 1_000n, a);
      const escrowBefore = await env.tokenBalance(again.escrow);
      expect(await errorOf(() => claim(again, a, tree, 1))).to.equal("InvalidAccountOwner");
      expect(await env.tokenBalance(again.escrow)).to.equal(escrowBefore);
      // b joins the new pool and never commits: the old commitment of a cannot be cited, and b has none.
      await join(again, 1_000n, b);
      await env.warpTo(roundStart(again, 1));
      const slash = async (m: Member, commitment?: PublicKey) =>
        env.send(
          [
            await slashIx(
              p(),
              {
                aggregator: ctx.aggregator.publicKey,
                pool: ctx.pool,
                participant: m.wallet.publicKey,
                round: 1,
                amount: 1n,
                reason: 1,
                evidenceCid: cidOf("e"),
              },
              commitment ? { commitment } : {},
            ),
          ],
          [ctx.aggregator],
        );
      expect(await errorOf(() => slash(b))).to.equal("InvalidAccountOwner");
      // the new pool is not bricked: a commits round 1 again, the aggregator posts it.
      await commit(again, a, 1);
      expect(await errorOf(() => slash(b, findCommitmentAddress(ctx.pool, a.wallet.publicKey, 1)[0]))).to.equal(
        "WrongPool",
      );
      await post(again, 1, 10_000n);
      const pool = (await fetchPool(p(), ctx.pool))!;
      expect(pool.totalClaimed.toString()).to.equal("0");
      expect(pool.status).to.equal(1); // finished: the one round was posted
    });
    it("same-second re-creation: the old participant state cannot be used (it is closed before the pool)", async () => {
      const { ctx, a, b, tree } = await finalizedPool();
      await closeChildren(ctx, [a, b], [a], 1);
      await closePool(ctx);
      const t = await env.now();
      const again = await recreate(ctx);
      expect(await env.now()).to.equal(t); // same second
      expect(await errorOf(() => claim(again, a, tree, 1))).to.equal("InvalidAccountOwner");
      expect(await errorOf(async () => withdraw(ctx, a))).to.equal("StakeLocked");
    });
  });

  describe("nothing a stranger sends locks funds or rent", () => {
    it("lamports sent to the pool, a participant state or a round result do not block closing; the rent payer gets them", async () => {
      const { ctx, a, b } = await finalizedPool();
      const stranger = await env.newWallet();
      const gift = (to: PublicKey) =>
        env.send(
          [SystemProgram.transfer({ fromPubkey: stranger.publicKey, toPubkey: to, lamports: 12_345 })],
          [stranger],
        );
      await gift(ctx.pool);
      await gift(a.state);
      await gift(findRoundAddress(ctx.pool, 1)[0]);
      await closeChildren(ctx, [a, b], [a], 1);
      const creatorBefore = await p().provider.connection.getBalance(ctx.creator.publicKey);
      await closePool(ctx);
      expect(await p().provider.connection.getBalance(ctx.creator.publicKey)).to.be.greaterThan(creatorBefore);
      // lamports sent to the closed pool's address (a rent-exempt amount, as the runtime requires) do
      // not stop re-creation
      await env.send(
        [SystemProgram.transfer({ fromPubkey: stranger.publicKey, toPubkey: ctx.pool, lamports: 1_000_000 })],
        [stranger],
      );
      const again = await recreate(ctx);
      expect((await fetchPool(p(), again.pool))!.status).to.equal(0);
    });
    it("lamports pre-sent to a participant, commitment or round address do not block their creation", async () => {
      const ctx = await setupPool(env, { numRounds: 1 });
      const stranger = await env.newWallet();
      const gift = (to: PublicKey) =>
        env.send(
          [SystemProgram.transfer({ fromPubkey: stranger.publicKey, toPubkey: to, lamports: 1_000_000 })],
          [stranger],
        );
      const m = await newMember(ctx);
      await gift(m.state);
      await join(ctx, 1_000n, m);
      await gift(findCommitmentAddress(ctx.pool, m.wallet.publicKey, 1)[0]);
      await gift(findRoundAddress(ctx.pool, 1)[0]);
      await env.warpTo(roundStart(ctx, 1));
      await commit(ctx, m, 1);
      await post(ctx, 1, 1n);
      expect((await fetchPool(p(), ctx.pool))!.roundsPosted).to.equal(1);
    });
    it("tokens sent to escrow and stake vault are swept to the creator by close_pool", async () => {
      const { ctx, a, b } = await finalizedPool();
      const stranger = await newMember(ctx, 1_000n);
      await env.send(
        [
          createTransferInstruction(stranger.token, ctx.escrow, stranger.wallet.publicKey, 1n),
          createTransferInstruction(stranger.token, ctx.vault, stranger.wallet.publicKey, 2n),
        ],
        [stranger.wallet],
      );
      await closeChildren(ctx, [a, b], [a], 1);
      const before = await env.tokenBalance(ctx.creatorToken);
      await closePool(ctx);
      expect(await env.tokenBalance(ctx.creatorToken)).to.equal(before + 3n);
      expect(await env.accountExists(ctx.escrow)).to.equal(false);
      expect(await env.accountExists(ctx.vault)).to.equal(false);
    });
    it("an idle participant who never withdrew cannot keep the pool open: its stake goes to its own account", async () => {
      const { ctx, a, b } = await finalizedPool();
      const before = await env.tokenBalance(b.token);
      await closeChildren(ctx, [a, b], [a], 1);
      expect(await env.tokenBalance(b.token)).to.equal(before + 1_000n);
      await closePool(ctx);
    });
    it("children of one pool cannot be closed through another finalized pool", async () => {
      const one = await finalizedPool();
      const two = await finalizedPool();
      const caller = await env.newWallet();
      expect(
        await errorOf(async () =>
          closeParticipant(two.ctx, one.a, caller, one.a.token, { participantState: one.a.state }),
        ),
      ).to.equal("WrongPool");
      expect(
        await errorOf(async () =>
          env.send(
            [
              await closeRoundIx(
                p(),
                { caller: caller.publicKey, aggregator: one.ctx.aggregator.publicKey, pool: two.ctx.pool, round: 1 },
                { roundResult: findRoundAddress(one.ctx.pool, 1)[0] },
              ),
            ],
            [caller],
          ),
        ),
      ).to.equal("WrongPool");
      expect(
        await errorOf(async () =>
          closeCommitment(two.ctx, one.a, 1, caller, {
            commitment: findCommitmentAddress(one.ctx.pool, one.a.wallet.publicKey, 1)[0],
            participantState: one.a.state,
          }),
        ),
      ).to.equal("WrongPool");
    });
  });

  describe("only canonical addresses", () => {
    it("refuses a pool (and its escrow and vault) at a non-canonical bump", async () => {
      const ctx = await setupPool(env, {}, false);
      const id = Buffer.alloc(8);
      id.writeBigUInt64LE(ctx.poolId);
      const [pool, bump] = nonCanonical([Buffer.from("pool"), ctx.creator.publicKey.toBuffer(), id]);
      const [escrow, eb] = PublicKey.findProgramAddressSync(
        [Buffer.from("escrow"), pool.toBuffer()],
        FEDSTR_PROGRAM_ID,
      );
      const [vault, vb] = PublicKey.findProgramAddressSync(
        [Buffer.from("stake_vault"), pool.toBuffer()],
        FEDSTR_PROGRAM_ID,
      );
      const ix = await createPoolIx(p(), ctx.args, { pool, escrow, stakeVault: vault });
      // the bumps are the last three bytes of the instruction data
      ix.data.set([bump, eb, vb], ix.data.length - 3);
      expect(await errorOf(() => env.send([ix], [ctx.creator]))).to.equal("InvalidPda");
      const [canonicalPool] = findPoolAddress(ctx.creator.publicKey, ctx.poolId);
      const [ncEscrow, ncEb] = nonCanonical([Buffer.from("escrow"), canonicalPool.toBuffer()]);
      const ix2 = await createPoolIx(p(), ctx.args, { escrow: ncEscrow });
      ix2.data[ix2.data.length - 2] = ncEb;
      expect(await errorOf(() => env.send([ix2], [ctx.creator]))).to.equal("InvalidPda");
      const [ncVault, ncVb] = nonCanonical([Buffer.from("stake_vault"), canonicalPool.toBuffer()]);
      const ix3 = await createPoolIx(p(), ctx.args, { stakeVault: ncVault });
      ix3.data[ix3.data.length - 1] = ncVb;
      expect(await errorOf(() => env.send([ix3], [ctx.creator]))).to.equal("InvalidPda");
      expect(findEscrowAddress(canonicalPool)[0].equals(ncEscrow)).to.equal(false);
      expect(findStakeVaultAddress(canonicalPool)[0].equals(ncVault)).to.equal(false);
    });
    it("refuses a commitment and a round result at a non-canonical bump", async () => {
      const ctx = await setupPool(env, { numRounds: 1 });
      const m = await join(ctx);
      await env.warpTo(roundStart(ctx, 1));
      const round = Buffer.alloc(4);
      round.writeUInt32LE(1);
      const [commitment, cb] = nonCanonical([
        Buffer.from("commitment"),
        ctx.pool.toBuffer(),
        m.wallet.publicKey.toBuffer(),
        round,
      ]);
      const cix = await commitUpdateIx(p(), commitArgs(ctx, m, 1, { bump: cb }), { commitment });
      expect(await errorOf(() => env.send([cix], [m.wallet]))).to.equal("InvalidPda");
      const [roundResult, rb] = nonCanonical([Buffer.from("round"), ctx.pool.toBuffer(), round]);
      const rix = await postRoundIx(p(), postArgs(ctx, 1, 0n, { bump: rb }), { roundResult });
      expect(await errorOf(() => env.send([rix], [ctx.aggregator]))).to.equal("InvalidPda");
      // the canonical ones go through
      await commit(ctx, m, 1);
      await post(ctx, 1, 0n);
    });
  });

  describe("freeze authority (a trust assumption, not refused)", () => {
    it("a pool of a mint with a freeze authority is created; the SDK summary names the authority and warns", async () => {
      const freezer = Keypair.generate();
      const mintKp = Keypair.generate();
      const lamports = await p().provider.connection.getMinimumBalanceForRentExemption(MINT_SIZE);
      await env.send(
        [
          SystemProgram.createAccount({
            fromPubkey: env.payer.publicKey,
            newAccountPubkey: mintKp.publicKey,
            lamports,
            space: MINT_SIZE,
            programId: TOKEN_PROGRAM_ID,
          }),
          createInitializeMint2Instruction(mintKp.publicKey, 6, env.payer.publicKey, freezer.publicKey),
        ],
        [mintKp],
      );
      const ctx = await setupPool(env, { mint: mintKp.publicKey });
      const frozen = summarizePool(
        ctx.pool,
        (await fetchPool(p(), ctx.pool))!,
        await fetchPoolMint(p().provider.connection, ctx.mint),
      );
      expect(frozen.freezeAuthority).to.equal(freezer.publicKey.toBase58());
      expect(freezeAuthorityWarning(frozen)).to.contain(freezer.publicKey.toBase58());
      const plain = await setupPool(env);
      const summary = summarizePool(
        plain.pool,
        (await fetchPool(p(), plain.pool))!,
        await fetchPoolMint(p().provider.connection, plain.mint),
      );
      expect(summary.freezeAuthority).to.equal(null);
      expect(freezeAuthorityWarning(summary)).to.equal(undefined);
    });
  });
});
