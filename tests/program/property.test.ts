// Property test: random sequences of instructions by random actors, honest and
// malicious, with both invariants checked after every step:
//   escrow balance      = total_funded - total_claimed - total_refunded
//   stake vault balance = total_staked = sum of the participants' active stakes
// plus: every malicious action fails, and the program's own totals agree with
// a ledger the test keeps from the transactions that succeeded.
// Steps: FEDSTR_PROPERTY_STEPS (default 1000), seed: FEDSTR_PROPERTY_SEED.
import { expect } from "chai";
import { Keypair, PublicKey } from "@solana/web3.js";
import { createTransferInstruction } from "@solana/spl-token";
import {
  PoolStatus,
  cancelPoolIx,
  claimRewardIx,
  commitUpdateIx,
  expirePoolIx,
  fetchParticipant,
  fetchPool,
  finalizePoolIx,
  fundPoolIx,
  joinPoolIx,
  postRoundIx,
  slashIx,
  withdrawStakeIx,
  type RewardTree,
} from "@fedstr/sdk/program";
import { createRng } from "@fedstr/sdk/fl";
import { createEnv, TxFailed, type TestEnv } from "./harness.js";
import { cidOf, newMember, nostrKeyOf, rewardTree, setupPool, sha256, type Member, type PoolCtx } from "./fixtures.js";

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
  members: Member[];
  joined: Set<string>;
  committed: Map<number, Set<string>>;
  trees: Map<number, RewardTree>;
  ledger: { funded: bigint; claimed: bigint; refunded: bigint; staked: bigint };
}

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

    async function newPlay(): Promise<Play> {
      const ctx = await setupPool(env, {
        numRounds: 1 + r.int(3),
        maxParticipants: 2 + r.int(3),
        roundDuration: BigInt(50 + r.int(100)),
        gracePeriod: BigInt(r.int(60)),
        claimWindow: BigInt(60 + r.int(240)),
        rewardAmount: BigInt(1_000 + r.int(100_000)),
        slashLimitBps: r.int(10_001),
        joinDeadline: (await env.now()) + BigInt(30 + r.int(300)),
      });
      const members: Member[] = [];
      for (let i = 0; i < 5; i++) members.push(await newMember(ctx, 100_000n));
      const play: Play = {
        ctx, members, joined: new Set(), committed: new Map(), trees: new Map(),
        ledger: { funded: BigInt(ctx.args.rewardAmount), claimed: 0n, refunded: 0n, staked: 0n },
      };
      plays.push(play);
      // Most participants join at once; others may join later (or try to).
      const early = 1 + r.int(members.length);
      for (const m of members.slice(0, early)) {
        const stake = BigInt(ctx.args.minStake) + r.big(2_000n);
        if (await act("join", false, async () => env.send([await joinPoolIx(p, { participant: m.wallet.publicKey, pool: ctx.pool, participantToken: m.token, stake, nostrPubkey: nostrKeyOf(m.wallet.publicKey) })], [m.wallet]))) {
          play.joined.add(m.wallet.publicKey.toBase58());
          play.ledger.staked += stake;
        }
      }
      return play;
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
      for (const pl of plays) {
        const pool = await fetchPool(p, pl.ctx.pool);
        if (!pool) continue;
        const escrow = await env.tokenBalance(pl.ctx.escrow);
        const vault = await env.tokenBalance(pl.ctx.vault);
        const funded = BigInt(pool.totalFunded.toString());
        const claimed = BigInt(pool.totalClaimed.toString());
        const refunded = BigInt(pool.totalRefunded.toString());
        const staked = BigInt(pool.totalStaked.toString());
        const where = `step ${step}, pool ${pl.ctx.poolId}`;
        expect(escrow, `escrow invariant at ${where}`).to.equal(funded - claimed - refunded);
        expect(vault, `vault invariant at ${where}`).to.equal(staked);
        let sum = 0n;
        for (const m of pl.members) {
          const st = await fetchParticipant(p, m.state);
          if (st && st.status === 0) sum += BigInt(st.stake.toString());
        }
        expect(sum, `sum of stakes at ${where}`).to.equal(staked);
        expect([funded, claimed, refunded, staked], `ledger at ${where}`).to.deep.equal([
          pl.ledger.funded, pl.ledger.claimed, pl.ledger.refunded, pl.ledger.staked,
        ]);
      }
    }

    let play = await newPlay();
    for (let step = 0; step < STEPS; step++) {
      const pool = (await fetchPool(p, play.ctx.pool))!;
      if (pool.status === PoolStatus.Finalized || (pool.status !== PoolStatus.Active && r.chance(0.05))) {
        play = await newPlay();
        continue;
      }
      const { ctx, members, ledger } = play;
      const joinedMembers = members.filter((x) => play.joined.has(x.wallet.publicKey.toBase58()));
      const m = joinedMembers.length && r.chance(0.8) ? r.pick(joinedMembers) : r.pick(members);
      const key = m.wallet.publicKey.toBase58();
      const round = pool.roundsPosted + 1;
      const choice = r.chance(0.3) ? r.pick([0, 1, 1, 2, 3, 3, 5]) : r.int(15);
      switch (choice) {
        case 0: { // join: honest stake or too low
          const stake = r.chance(0.8) ? BigInt(ctx.args.minStake) + r.big(2_000n) : r.big(BigInt(ctx.args.minStake));
          if (await act("join", false, async () => env.send([await joinPoolIx(p, { participant: m.wallet.publicKey, pool: ctx.pool, participantToken: m.token, stake, nostrPubkey: nostrKeyOf(m.wallet.publicKey) })], [m.wallet]))) {
            play.joined.add(key);
            ledger.staked += stake;
          }
          break;
        }
        case 1: { // commit
          const set = play.committed.get(round) ?? new Set<string>();
          if (await act("commit", false, async () => env.send([await commitUpdateIx(p, { participant: m.wallet.publicKey, pool: ctx.pool, round, updateHash: sha256(`update ${round} ${key}`), updateCid: cidOf(`${round}${key}`), samples: BigInt(1 + r.int(1000)) })], [m.wallet]))) {
            set.add(key);
            play.committed.set(round, set);
          }
          break;
        }
        case 2: { // aggregator posts a round with a tree over the committers
          const committers = members.filter((x) => play.committed.get(round)?.has(x.wallet.publicKey.toBase58()));
          const unallocated = BigInt(pool.totalFunded.toString()) - BigInt(pool.totalRefunded.toString()) - BigInt(pool.totalAllocated.toString());
          const reward = r.chance(0.9) ? r.big(unallocated + 1n) : unallocated + 1n + r.big(1000n);
          const shares = committers.map(() => BigInt(1 + r.int(100)));
          const total = shares.reduce((a, b) => a + b, 0n) || 1n;
          const tree = rewardTree(ctx, round, committers.map((x, i) => ({ m: x, reward: (reward * shares[i]!) / total })));
          await act("post_round", reward > unallocated, async () => env.send([await postRoundIx(p, { aggregator: ctx.aggregator.publicKey, pool: ctx.pool, round, globalModelCid: cidOf(`g${round}`), globalModelHash: sha256(`g${round}`), merkleRoot: tree.root, metric: BigInt(r.int(1_000_000)), reward, acceptedCount: committers.length, reportCid: cidOf(`report ${round}`), reportSha256: sha256(`report ${round}`) })], [ctx.aggregator]))
            .then((ok) => ok && play.trees.set(round, tree));
          break;
        }
        case 3: { // claim (honest, forged amount, or someone else's leaf)
          const mine = [...play.trees.keys()].filter((k) => play.trees.get(k)!.leaves.some((l) => l.participant.equals(m.wallet.publicKey)));
          const rounds = mine.length && r.chance(0.7) ? mine : [...play.trees.keys()];
          if (!rounds.length) break;
          const rd = r.pick(rounds);
          const tree = play.trees.get(rd)!;
          const i = tree.leaves.findIndex((l) => l.participant.equals(m.wallet.publicKey));
          const mode = r.int(3);
          if (mode === 0 && i >= 0) {
            const leaf = tree.leaves[i]!;
            if (await act("claim", false, async () => env.send([await claimRewardIx(p, { participant: m.wallet.publicKey, pool: ctx.pool, round: rd, weight: leaf.weight, amount: leaf.reward, updateHash: leaf.updateHash, proof: tree.proofs[i]!, destination: m.token })], [m.wallet]))) {
              ledger.claimed += leaf.reward;
            }
          } else if (tree.leaves.length) {
            const j = r.int(tree.leaves.length);
            const leaf = tree.leaves[j]!;
            const thief = leaf.participant.equals(m.wallet.publicKey) ? mallory : m.wallet;
            const dest = thief === mallory ? await env.createTokenAccount(ctx.mint, mallory.publicKey) : m.token;
            await act("claim_forged", true, async () => env.send([await claimRewardIx(p, { participant: thief.publicKey, pool: ctx.pool, round: rd, weight: leaf.weight, amount: leaf.reward + (mode === 1 ? 1n : 0n), updateHash: leaf.updateHash, proof: tree.proofs[j]!, destination: dest })], [thief]));
          }
          break;
        }
        case 4: { // slash by the aggregator, or by a stranger
          const byMallory = r.chance(0.3);
          const signer = byMallory ? mallory : ctx.aggregator;
          const mineC = [...play.committed.entries()].filter(([, set]) => set.has(key)).map(([k]) => k);
          const rd = mineC.length && r.chance(0.8) ? r.pick(mineC) : Math.max(1, round - r.int(2));
          const amount = 1n + r.big(600n);
          let slashed = false;
          await act("slash", byMallory, async () => {
            await env.send([await slashIx(p, { aggregator: signer.publicKey, pool: ctx.pool, participant: m.wallet.publicKey, round: rd, amount, reason: 1 + r.int(3), evidenceCid: cidOf(`evidence ${step}`) })], [signer]);
            slashed = true;
          });
          if (slashed) {
            ledger.staked -= amount;
            ledger.funded += amount;
          }
          break;
        }
        case 5: { // withdraw
          const st = await fetchParticipant(p, m.state);
          const amount = st ? BigInt(st.stake.toString()) : 0n;
          if (await act("withdraw", false, async () => env.send([await withdrawStakeIx(p, { participant: m.wallet.publicKey, pool: ctx.pool, destination: m.token })], [m.wallet]))) {
            ledger.staked -= amount;
          }
          break;
        }
        case 6: { // cancel by creator (rarely) or by a stranger
          const byMallory = r.chance(0.5);
          if (!byMallory && !r.chance(0.2)) break;
          const signer = byMallory ? mallory : ctx.creator;
          const refund = BigInt(pool.totalFunded.toString()) - BigInt(pool.totalClaimed.toString()) - BigInt(pool.totalRefunded.toString());
          if (await act("cancel", byMallory, async () => env.send([await cancelPoolIx(p, { creator: signer.publicKey, pool: ctx.pool, creatorToken: ctx.creatorToken })], [signer]))) {
            ledger.refunded += refund;
          }
          break;
        }
        case 7: { // expire (anyone)
          const refund = BigInt(pool.totalFunded.toString()) - BigInt(pool.totalRefunded.toString()) - BigInt(pool.totalAllocated.toString());
          if (await act("expire", false, async () => env.send([await expirePoolIx(p, { caller: m.wallet.publicKey, pool: ctx.pool, creatorToken: ctx.creatorToken })], [m.wallet]))) {
            ledger.refunded += refund;
          }
          break;
        }
        case 8: { // finalize (anyone)
          const refund = BigInt(pool.totalFunded.toString()) - BigInt(pool.totalClaimed.toString()) - BigInt(pool.totalRefunded.toString());
          if (await act("finalize", false, async () => env.send([await finalizePoolIx(p, { caller: m.wallet.publicKey, pool: ctx.pool, creatorToken: ctx.creatorToken })], [m.wallet]))) {
            ledger.refunded += refund;
          }
          break;
        }
        case 9: { // fund (creator) or a stranger trying to fund
          const byMallory = r.chance(0.3);
          const amount = 1n + r.big(5_000n);
          if (byMallory) {
            const t = await env.createTokenAccount(ctx.mint, mallory.publicKey);
            await act("fund", true, async () => env.send([await fundPoolIx(p, { creator: mallory.publicKey, pool: ctx.pool, creatorToken: t, amount })], [mallory]));
          } else if (await act("fund", false, async () => env.send([await fundPoolIx(p, { creator: ctx.creator.publicKey, pool: ctx.pool, creatorToken: ctx.creatorToken, amount })], [ctx.creator]))) {
            ledger.funded += amount;
          }
          break;
        }
        case 10: { // theft: move escrow or vault tokens directly through SPL Token
          const from = r.chance(0.5) ? ctx.escrow : ctx.vault;
          const t = await env.createTokenAccount(ctx.mint, mallory.publicKey);
          await act("steal", true, async () => env.send([createTransferInstruction(from, t, mallory.publicKey, 1n)], [mallory]));
          break;
        }
        case 11: { // post by a stranger
          await act("post_round_stranger", true, async () => env.send([await postRoundIx(p, { aggregator: mallory.publicKey, pool: ctx.pool, round, globalModelCid: cidOf("x"), globalModelHash: sha256("x"), merkleRoot: new Uint8Array(32), metric: 0n, reward: 0n, acceptedCount: 0, reportCid: cidOf("x"), reportSha256: sha256("x") })], [mallory]));
          break;
        }
        case 12: { // jump to the start of the current round (or a bit later)
          const start = BigInt(ctx.args.joinDeadline) + BigInt(round - 1) * BigInt(ctx.args.roundDuration);
          const now = await env.now();
          if (start > now) await env.warpTo(start + BigInt(r.int(20)));
          break;
        }
        default: { // time passes
          await env.warpTo((await env.now()) + BigInt(1 + (r.chance(0.9) ? r.int(25) : r.int(200))));
        }
      }
      await checkInvariants(step);
    }
    const summary = Object.entries(counts).map(([k, v]) => `${k} ${v.ok}/${v.ok + v.failed}`).join(", ");
    console.log(`      ${STEPS} steps over ${plays.length} pools; succeeded/attempted: ${summary}`);
    if (process.env.FEDSTR_PROPERTY_VERBOSE) console.log(reasons);
    expect(plays.length).to.be.greaterThan(0);
  });
});
