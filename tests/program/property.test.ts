// Property test: random sequences of instructions by random actors, honest and
// malicious, with both invariants checked after every step:
//   escrow balance      = total_funded - total_claimed - total_refunded
//   stake vault balance = total_staked = sum of the participants' active stakes
// plus: every malicious action fails, the program's own totals agree with a
// ledger the test keeps from the transactions that succeeded, and every token
// account the test knows holds exactly what it was owed (no wallet ever gains a
// token it was not owed). Strangers send tokens to escrow and vault and lamports
// to pool accounts at random points (the invariants count those tokens as
// untracked, swept to the creator by close_pool); finalized pools are torn down
// (children closed by anyone, unwithdrawn stakes paid to their owners) and their
// pool id re-created, and stale leaves of the old incarnation are replayed;
// non-canonical commitment and round addresses are tried.
// Steps: FEDSTR_PROPERTY_STEPS (default 1000), seed: FEDSTR_PROPERTY_SEED.

import { createRng } from "@fedstr/sdk/fl";
import {
  buildRewardTree,
  closeCommitmentIx,
  closeRoundIx,
  createPoolIx,
  FEDSTR_PROGRAM_ID,
  fetchParticipant,
  fetchPool,
  findCommitmentAddress,
  findRoundAddress,
  fundPoolIx,
  PoolStatus,
  postRoundIx,
  type RewardTree,
  slashIx,
} from "@fedstr/sdk/program";
import { createTransferInstruction } from "@solana/spl-token";
import { PublicKey, SystemProgram } from "@solana/web3.js";
import { expect } from "chai";
import {
  cancel,
  cidOf,
  claim,
  closeParticipant,
  closePool,
  commit,
  expire,
  finalize,
  join,
  type Member,
  newMember,
  type PoolCtx,
  postArgs,
  setupPool,
  sha256,
  withdraw,
} from "./fixtures.js";
import { createEnv, type TestEnv, TxFailed } from "./harness.js";

const STEPS = Number(process.env.FEDSTR_PROPERTY_STEPS ?? 1000);
const SEED = Number(process.env.FEDSTR_PROPERTY_SEED ?? 20261122);

/** The FL core's seeded generator, with the few draws this test makes. */
function rng(seed: number) {
  const g = createRng(seed);
  return {
    int: (n: number) => g.int(n),
    big: (n: bigint) => BigInt(g.int(Number(n))),
    pick: <T>(xs: T[]): T => xs[g.int(xs.length)]!,
    chance: (p: number) => g.next() < p,
  };
}

interface Play {
  ctx: PoolCtx;
  /** 0 for a new pool id, n for its n-th re-creation after close_pool. */
  incarnation: number;
  members: Member[];
  joined: Set<string>;
  committed: Map<number, Set<string>>;
  trees: Map<number, RewardTree>;
  /** Reward trees of the previous incarnation of this pool address (replayed by attackers). */
  staleTrees: Map<number, RewardTree>;
  ledger: { funded: bigint; claimed: bigint; refunded: bigint; staked: bigint };
  /** Tokens strangers sent straight to escrow / vault (outside the program's bookkeeping). */
  stray: { escrow: bigint; vault: bigint };
  /** Mallory's token account of this pool's mint (funded; what she sends comes from here). */
  mallory: PublicKey;
  closed: boolean;
}

/** A valid PDA at a bump below the canonical one. */
function nonCanonical(seeds: Buffer[]): [PublicKey, number] | undefined {
  const [, canonical] = PublicKey.findProgramAddressSync(seeds, FEDSTR_PROGRAM_ID);
  for (let b = canonical - 1; b >= 0; b--) {
    try {
      return [PublicKey.createProgramAddressSync([...seeds, Buffer.from([b])], FEDSTR_PROGRAM_ID), b];
    } catch {
      /* on the curve */
    }
  }
  return undefined;
}
const u32le = (v: number) => {
  const b = Buffer.alloc(4);
  b.writeUInt32LE(v);
  return b;
};

describe("fedstr program: property test", function () {
  this.timeout(Math.max(600_000, STEPS * 500));

  it(`keeps both invariants over ${STEPS} random steps (seed ${SEED})`, async function () {
    const env: TestEnv = await createEnv({ seed: `property-${SEED}` });
    if (!env.canWarp) this.skip();
    const r = rng(SEED);
    const p = env.program;
    const plays: Play[] = [];
    const mallory = await env.newWallet(100);
    const counts: Record<string, { ok: number; failed: number }> = {};
    const reasons: Record<string, number> = {};
    let reused = 0;

    // Every token account the test knows, with what it must hold.
    const owed = new Map<string, { account: PublicKey; amount: bigint }>();
    const owe = (account: PublicKey, delta: bigint) => {
      const e = owed.get(account.toBase58()) ?? { account, amount: 0n };
      e.amount += delta;
      owed.set(account.toBase58(), e);
    };
    const updateHashOf = (play: Play, round: number, m: Member) =>
      sha256(`update ${play.incarnation} ${round} ${m.wallet.publicKey.toBase58()}`);

    /** A new pool, or (with `previous`) the same creator re-creating the closed pool's id. */
    async function newPlay(previous?: Play): Promise<Play> {
      const terms = {
        numRounds: 1 + r.int(3),
        maxParticipants: 2 + r.int(3),
        roundDuration: BigInt(50 + r.int(100)),
        gracePeriod: BigInt(r.int(60)),
        claimWindow: BigInt(60 + r.int(240)),
        rewardAmount: BigInt(1_000 + r.int(100_000)),
        slashLimitBps: r.int(10_001),
        joinDeadline: (await env.now()) + BigInt(30 + r.int(300)),
      };
      let ctx: PoolCtx;
      if (previous) {
        ctx = { ...previous.ctx, args: { ...previous.ctx.args, ...terms } };
        await env.mintTo(ctx.mint, ctx.creatorToken, terms.rewardAmount);
        owe(ctx.creatorToken, terms.rewardAmount);
        await env.send([await createPoolIx(p, ctx.args)], [ctx.creator]);
      } else {
        ctx = await setupPool(env, terms);
        owe(ctx.creatorToken, 10_000_000n);
      }
      owe(ctx.creatorToken, -terms.rewardAmount);
      const members: Member[] = previous ? previous.members.slice(0, 2) : [];
      while (members.length < 5) {
        const m = await newMember(ctx, 100_000n);
        owe(m.token, 100_000n);
        members.push(m);
      }
      const mallory_ = await env.createTokenAccount(ctx.mint, mallory.publicKey);
      await env.mintTo(ctx.mint, mallory_, 1_000_000n);
      owe(mallory_, 1_000_000n);
      const play: Play = {
        ctx,
        incarnation: previous ? previous.incarnation + 1 : 0,
        members,
        joined: new Set(),
        committed: new Map(),
        trees: new Map(),
        staleTrees: previous ? new Map([...previous.trees, ...previous.staleTrees]) : new Map(),
        ledger: { funded: BigInt(ctx.args.rewardAmount), claimed: 0n, refunded: 0n, staked: 0n },
        stray: { escrow: 0n, vault: 0n },
        mallory: mallory_,
        closed: false,
      };
      plays.push(play);
      if (previous) reused++;
      // Most participants join at once; others may join later (or try to).
      const early = 1 + r.int(members.length);
      for (const m of members.slice(0, early)) {
        const stake = BigInt(ctx.args.minStake) + r.big(2_000n);
        if (await act("join", false, async () => join(ctx, stake, m))) {
          play.joined.add(m.wallet.publicKey.toBase58());
          play.ledger.staked += stake;
          owe(m.token, -stake);
        }
      }
      return play;
    }

    /**
     * Anyone closes every child account of a finalized pool (attackers try first), then the
     * creator closes the pool (refused while children remain) and re-creates its id.
     */
    async function tearDown(play: Play): Promise<Play> {
      const { ctx } = play;
      const caller = r.chance(0.5) ? mallory : ctx.creator;
      await act("close_pool_early", true, async () => closePool(ctx));
      for (const m of play.members.filter((x) => play.joined.has(x.wallet.publicKey.toBase58()))) {
        const key = m.wallet.publicKey.toBase58();
        for (const [round, set] of play.committed) {
          if (set.has(key))
            await act("close_commitment", false, async () =>
              env.send(
                [
                  await closeCommitmentIx(p, {
                    caller: caller.publicKey,
                    participant: m.wallet.publicKey,
                    pool: ctx.pool,
                    round,
                  }),
                ],
                [caller],
              ),
            );
        }
        const st = await fetchParticipant(p, m.state);
        const stake = st && st.status === 0 ? BigInt(st.stake.toString()) : 0n;
        // Nobody but the participant's own token account receives its stake.
        if (stake > 0n)
          await act("close_participant_theft", true, async () => closeParticipant(ctx, m, mallory, play.mallory));
        if (await act("close_participant", false, async () => closeParticipant(ctx, m, caller))) {
          play.ledger.staked -= stake;
          owe(m.token, stake);
        }
      }
      const pool = (await fetchPool(p, ctx.pool))!;
      for (let round = 1; round <= pool.roundsPosted; round++) {
        await act("close_round", false, async () =>
          env.send(
            [
              await closeRoundIx(p, {
                caller: caller.publicKey,
                aggregator: ctx.aggregator.publicKey,
                pool: ctx.pool,
                round,
              }),
            ],
            [caller],
          ),
        );
      }
      await checkInvariants(-1);
      const sweep = (await env.tokenBalance(ctx.escrow)) + (await env.tokenBalance(ctx.vault));
      expect(sweep, "what close_pool sweeps is exactly the strangers' tokens").to.equal(
        play.stray.escrow + play.stray.vault,
      );
      const closed = await act("close_pool", false, async () => closePool(ctx));
      if (!closed)
        expect.fail(`close_pool of a finalized pool with every child closed failed: ${JSON.stringify(reasons)}`);
      owe(ctx.creatorToken, sweep);
      play.closed = true;
      return newPlay(play);
    }

    // Runs an action; honest actions may fail (windows, states), malicious ones must fail.
    async function act(name: string, malicious: boolean, fn: () => Promise<unknown>): Promise<boolean> {
      const c = (counts[name] ??= { ok: 0, failed: 0 });
      try {
        await fn();
        c.ok++;
        if (malicious) expect.fail(`malicious action ${name} succeeded`);
        return true;
      } catch (e) {
        if (!(e instanceof TxFailed)) throw e;
        c.failed++;
        const why = `${name}:${e.errorName ?? "runtime"}`;
        reasons[why] = (reasons[why] ?? 0) + 1;
        return false;
      }
    }

    async function checkInvariants(step: number) {
      for (const { account, amount } of owed.values()) {
        expect(await env.tokenBalance(account), `token account ${account.toBase58()} at step ${step}`).to.equal(amount);
      }
      for (const pl of plays) {
        if (pl.closed) continue;
        const pool = await fetchPool(p, pl.ctx.pool);
        if (!pool) continue;
        const escrow = await env.tokenBalance(pl.ctx.escrow);
        const vault = await env.tokenBalance(pl.ctx.vault);
        const funded = BigInt(pool.totalFunded.toString());
        const claimed = BigInt(pool.totalClaimed.toString());
        const refunded = BigInt(pool.totalRefunded.toString());
        const staked = BigInt(pool.totalStaked.toString());
        const where = `step ${step}, pool ${pl.ctx.poolId}`;
        expect(escrow, `escrow invariant at ${where}`).to.equal(funded - claimed - refunded + pl.stray.escrow);
        expect(vault, `vault invariant at ${where}`).to.equal(staked + pl.stray.vault);
        let sum = 0n;
        for (const m of pl.members) {
          const st = await fetchParticipant(p, m.state);
          if (st && st.status === 0) sum += BigInt(st.stake.toString());
        }
        expect(sum, `sum of stakes at ${where}`).to.equal(staked);
        expect([funded, claimed, refunded, staked], `ledger at ${where}`).to.deep.equal([
          pl.ledger.funded,
          pl.ledger.claimed,
          pl.ledger.refunded,
          pl.ledger.staked,
        ]);
      }
    }

    let play = await newPlay();
    for (let step = 0; step < STEPS; step++) {
      const pool = (await fetchPool(p, play.ctx.pool))!;
      if (pool.status === PoolStatus.Finalized) {
        play = r.chance(0.7) ? await tearDown(play) : await newPlay();
        continue;
      }
      if (pool.status !== PoolStatus.Active && r.chance(0.08)) {
        // Either the claim window runs out (finalize, tear down, re-create come next) or the pool is left as it is.
        if (r.chance(0.7)) await env.warpTo(BigInt(pool.endedAt.toString()) + BigInt(pool.claimWindow.toString()) + 1n);
        else play = await newPlay();
        continue;
      }
      const { ctx, members, ledger } = play;
      const joinedMembers = members.filter((x) => play.joined.has(x.wallet.publicKey.toBase58()));
      const m = joinedMembers.length && r.chance(0.8) ? r.pick(joinedMembers) : r.pick(members);
      const key = m.wallet.publicKey.toBase58();
      const round = pool.roundsPosted + 1;
      const choice = r.chance(0.3) ? r.pick([0, 1, 1, 2, 3, 3, 5, 8]) : r.int(19);
      switch (choice) {
        case 0: {
          // join: honest stake or too low
          const stake = r.chance(0.8) ? BigInt(ctx.args.minStake) + r.big(2_000n) : r.big(BigInt(ctx.args.minStake));
          if (await act("join", false, async () => join(ctx, stake, m))) {
            play.joined.add(key);
            ledger.staked += stake;
            owe(m.token, -stake);
          }
          break;
        }
        case 1: {
          // commit
          const set = play.committed.get(round) ?? new Set<string>();
          if (
            await act("commit", false, async () =>
              commit(ctx, m, round, {
                updateHash: updateHashOf(play, round, m),
                updateCid: cidOf(`${round}${key}`),
                samples: BigInt(1 + r.int(1000)),
              }),
            )
          ) {
            set.add(key);
            play.committed.set(round, set);
          }
          break;
        }
        case 2: {
          // aggregator posts a round with a tree over the committers
          const committers = members.filter((x) => play.committed.get(round)?.has(x.wallet.publicKey.toBase58()));
          const unallocated =
            BigInt(pool.totalFunded.toString()) -
            BigInt(pool.totalRefunded.toString()) -
            BigInt(pool.totalAllocated.toString());
          const reward = r.chance(0.9) ? r.big(unallocated + 1n) : unallocated + 1n + r.big(1000n);
          const shares = committers.map(() => BigInt(1 + r.int(100)));
          const total = shares.reduce((a, b) => a + b, 0n) || 1n;
          const tree = buildRewardTree(
            ctx.pool,
            round,
            committers.map((x, i) => ({
              participant: x.wallet.publicKey,
              updateHash: updateHashOf(play, round, x),
              weight: shares[i]!,
              reward: (reward * shares[i]!) / total,
            })),
          );
          await act("post_round", reward > unallocated, async () =>
            env.send(
              [
                await postRoundIx(
                  p,
                  postArgs(ctx, round, reward, {
                    merkleRoot: tree.root,
                    metric: BigInt(r.int(1_000_000)),
                    acceptedCount: committers.length,
                  }),
                ),
              ],
              [ctx.aggregator],
            ),
          ).then((ok) => ok && play.trees.set(round, tree));
          break;
        }
        case 3: {
          // claim (honest, forged amount, or someone else's leaf)
          const mine = [...play.trees.keys()].filter((k) =>
            play.trees.get(k)!.leaves.some((l) => l.participant.equals(m.wallet.publicKey)),
          );
          const rounds = mine.length && r.chance(0.7) ? mine : [...play.trees.keys()];
          if (!rounds.length) break;
          const rd = r.pick(rounds);
          const tree = play.trees.get(rd)!;
          const i = tree.leaves.findIndex((l) => l.participant.equals(m.wallet.publicKey));
          const mode = r.int(3);
          if (mode === 0 && i >= 0) {
            const leaf = tree.leaves[i]!;
            if (await act("claim", false, async () => claim(ctx, m, tree, i, { round: rd }))) {
              ledger.claimed += leaf.reward;
              owe(m.token, leaf.reward);
            }
          } else if (tree.leaves.length) {
            const j = r.int(tree.leaves.length);
            const leaf = tree.leaves[j]!;
            const thief = leaf.participant.equals(m.wallet.publicKey) ? mallory : m.wallet;
            const dest = thief === mallory ? play.mallory : m.token;
            await act("claim_forged", true, async () =>
              claim(ctx, m, tree, j, {
                round: rd,
                signer: thief,
                amount: leaf.reward + (mode === 1 ? 1n : 0n),
                destination: dest,
              }),
            );
          }
          break;
        }
        case 4: {
          // slash by the aggregator, or by a stranger
          const byMallory = r.chance(0.3);
          const signer = byMallory ? mallory : ctx.aggregator;
          const mineC = [...play.committed.entries()].filter(([, set]) => set.has(key)).map(([k]) => k);
          const rd = mineC.length && r.chance(0.8) ? r.pick(mineC) : Math.max(1, round - r.int(2));
          const amount = 1n + r.big(600n);
          let slashed = false;
          // A posted round is beyond slashing (its commitments may already be closed).
          await act("slash", byMallory || rd <= pool.roundsPosted, async () => {
            await env.send(
              [
                await slashIx(p, {
                  aggregator: signer.publicKey,
                  pool: ctx.pool,
                  participant: m.wallet.publicKey,
                  round: rd,
                  amount,
                  reason: 1 + r.int(3),
                  evidenceCid: cidOf(`evidence ${step}`),
                }),
              ],
              [signer],
            );
            slashed = true;
          });
          if (slashed) {
            ledger.staked -= amount;
            ledger.funded += amount;
          }
          break;
        }
        case 5: {
          // withdraw
          const st = await fetchParticipant(p, m.state);
          const amount = st ? BigInt(st.stake.toString()) : 0n;
          if (await act("withdraw", false, async () => withdraw(ctx, m))) {
            ledger.staked -= amount;
            owe(m.token, amount);
          }
          break;
        }
        case 6: {
          // cancel by creator (rarely) or by a stranger
          const byMallory = r.chance(0.5);
          if (!byMallory && !r.chance(0.2)) break;
          const signer = byMallory ? mallory : ctx.creator;
          const refund =
            BigInt(pool.totalFunded.toString()) -
            BigInt(pool.totalClaimed.toString()) -
            BigInt(pool.totalRefunded.toString());
          if (await act("cancel", byMallory, async () => cancel(ctx, { signer: signer }))) {
            ledger.refunded += refund;
            owe(ctx.creatorToken, refund);
          }
          break;
        }
        case 7: {
          // expire (anyone)
          const refund =
            BigInt(pool.totalFunded.toString()) -
            BigInt(pool.totalRefunded.toString()) -
            BigInt(pool.totalAllocated.toString());
          if (await act("expire", false, async () => expire(ctx, m.wallet))) {
            ledger.refunded += refund;
            owe(ctx.creatorToken, refund);
          }
          break;
        }
        case 8: {
          // finalize (anyone)
          const refund =
            BigInt(pool.totalFunded.toString()) -
            BigInt(pool.totalClaimed.toString()) -
            BigInt(pool.totalRefunded.toString());
          if (await act("finalize", false, async () => finalize(ctx, m.wallet))) {
            ledger.refunded += refund;
            owe(ctx.creatorToken, refund);
          }
          break;
        }
        case 9: {
          // fund (creator) or a stranger trying to fund
          const byMallory = r.chance(0.3);
          const amount = 1n + r.big(5_000n);
          if (byMallory) {
            await act("fund", true, async () =>
              env.send(
                [
                  await fundPoolIx(p, {
                    creator: mallory.publicKey,
                    pool: ctx.pool,
                    creatorToken: play.mallory,
                    amount,
                  }),
                ],
                [mallory],
              ),
            );
          } else if (
            await act("fund", false, async () =>
              env.send(
                [
                  await fundPoolIx(p, {
                    creator: ctx.creator.publicKey,
                    pool: ctx.pool,
                    creatorToken: ctx.creatorToken,
                    amount,
                  }),
                ],
                [ctx.creator],
              ),
            )
          ) {
            ledger.funded += amount;
            owe(ctx.creatorToken, -amount);
          }
          break;
        }
        case 10: {
          // theft: move escrow or vault tokens directly through SPL Token
          const from = r.chance(0.5) ? ctx.escrow : ctx.vault;
          await act("steal", true, async () =>
            env.send([createTransferInstruction(from, play.mallory, mallory.publicKey, 1n)], [mallory]),
          );
          break;
        }
        case 11: {
          // post by a stranger
          await act("post_round_stranger", true, async () =>
            env.send(
              [
                await postRoundIx(p, {
                  aggregator: mallory.publicKey,
                  pool: ctx.pool,
                  round,
                  globalModelCid: cidOf("x"),
                  globalModelHash: sha256("x"),
                  merkleRoot: new Uint8Array(32),
                  metric: 0n,
                  reward: 0n,
                  acceptedCount: 0,
                  reportCid: cidOf("x"),
                  reportSha256: sha256("x"),
                }),
              ],
              [mallory],
            ),
          );
          break;
        }
        case 15: {
          // a stranger sends tokens straight to the escrow or the stake vault
          const toEscrow = r.chance(0.5);
          const amount = 1n + r.big(50n);
          if (
            await act("stray_tokens", false, async () =>
              env.send(
                [createTransferInstruction(play.mallory, toEscrow ? ctx.escrow : ctx.vault, mallory.publicKey, amount)],
                [mallory],
              ),
            )
          ) {
            owe(play.mallory, -amount);
            if (toEscrow) play.stray.escrow += amount;
            else play.stray.vault += amount;
          }
          break;
        }
        case 16: {
          // a stranger sends lamports to the pool, a participant state, or a (future) commitment / round address
          const to = r.pick([
            ctx.pool,
            m.state,
            findCommitmentAddress(ctx.pool, m.wallet.publicKey, round)[0],
            findRoundAddress(ctx.pool, round)[0],
          ]);
          await act("stray_lamports", false, async () =>
            env.send(
              [SystemProgram.transfer({ fromPubkey: mallory.publicKey, toPubkey: to, lamports: 1_000_000 })],
              [mallory],
            ),
          );
          break;
        }
        case 17: {
          // non-canonical commitment (a participant dodging slashes) or round address
          const nc = r.chance(0.5)
            ? nonCanonical([
                Buffer.from("commitment"),
                ctx.pool.toBuffer(),
                m.wallet.publicKey.toBuffer(),
                u32le(round),
              ])
            : undefined;
          if (nc) {
            await act("commit_non_canonical", true, async () =>
              commit(
                ctx,
                m,
                round,
                { updateHash: updateHashOf(play, round, m), updateCid: cidOf(`${round}${key}`), bump: nc[1] },
                { commitment: nc[0] },
              ),
            );
          } else {
            const rnc = nonCanonical([Buffer.from("round"), ctx.pool.toBuffer(), u32le(round)]);
            if (rnc)
              await act("post_non_canonical", true, async () =>
                env.send(
                  [
                    await postRoundIx(p, postArgs(ctx, round, 0n, { acceptedCount: 0, bump: rnc[1] }), {
                      roundResult: rnc[0],
                    }),
                  ],
                  [ctx.aggregator],
                ),
              );
          }
          break;
        }
        case 18: {
          // replay a leaf of the previous incarnation of this pool address
          const stale = [...play.staleTrees.entries()].filter(([, t]) => t.leaves.length > 0);
          if (!stale.length) break;
          const [rd, tree] = r.pick(stale);
          const j = r.int(tree.leaves.length);
          const leaf = tree.leaves[j]!;
          const owner = play.members.find((x) => x.wallet.publicKey.equals(leaf.participant));
          const thief = owner?.wallet ?? mallory;
          await act("claim_stale", true, async () =>
            claim(ctx, m, tree, j, { round: rd, signer: thief, destination: owner?.token ?? play.mallory }),
          );
          break;
        }
        case 13: {
          // anyone closes one of m's commitments early: allowed once its round is posted, the rent always to m
          const mineC = [...play.committed.entries()].filter(([, set]) => set.has(key)).map(([k]) => k);
          if (!mineC.length) break;
          const rd = r.pick(mineC);
          const caller = r.chance(0.5) ? mallory : m.wallet;
          const { connection } = p.provider;
          const rent = (await connection.getAccountInfo(findCommitmentAddress(ctx.pool, m.wallet.publicKey, rd)[0]))!
            .lamports;
          const before = await connection.getBalance(m.wallet.publicKey);
          const closed = await act("close_commitment_early", rd > pool.roundsPosted, async () =>
            env.send(
              [
                await closeCommitmentIx(p, {
                  caller: caller.publicKey,
                  participant: m.wallet.publicKey,
                  pool: ctx.pool,
                  round: rd,
                }),
              ],
              [caller],
            ),
          );
          if (closed) {
            play.committed.get(rd)!.delete(key);
            expect(await connection.getBalance(m.wallet.publicKey)).to.equal(before + rent);
          }
          break;
        }
        case 12: {
          // jump to the start of the current round (or a bit later)
          const start = BigInt(ctx.args.joinDeadline) + BigInt(round - 1) * BigInt(ctx.args.roundDuration);
          const now = await env.now();
          if (start > now) await env.warpTo(start + BigInt(r.int(20)));
          break;
        }
        default: {
          // time passes (sometimes past the current round's posting deadline: the pool can expire)
          const postDeadline =
            BigInt(ctx.args.joinDeadline) +
            BigInt(round) * BigInt(ctx.args.roundDuration) +
            BigInt(ctx.args.gracePeriod);
          if (pool.status === PoolStatus.Active && r.chance(0.15)) await env.warpTo(postDeadline + 1n);
          else await env.warpTo((await env.now()) + BigInt(1 + (r.chance(0.9) ? r.int(25) : r.int(200))));
        }
      }
      await checkInvariants(step);
    }
    const summary = Object.entries(counts)
      .map(([k, v]) => `${k} ${v.ok}/${v.ok + v.failed}`)
      .join(", ");
    console.log(
      `      ${STEPS} steps over ${plays.length} pools (${reused} re-created after close); succeeded/attempted: ${summary}`,
    );
    if (process.env.FEDSTR_PROPERTY_VERBOSE) console.log(reasons);
    expect(plays.length).to.be.greaterThan(0);
  });
});
