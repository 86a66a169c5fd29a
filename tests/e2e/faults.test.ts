/**
 * The faults the marketplace must survive, end to end: the real program in the Surfpool localnet,
 * the embedded Nostr relay and IPFS node, and separate processes running the real `fedstr` client
 * and `fedstr-aggregator`. Each test has its own pool with short rounds, judged by the chain clock.
 */

import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { chainTime, roundReward, scheduleOf } from "@fedstr/sdk/job";
import {
  fetchCommitmentsOfRound,
  fetchParticipant,
  fetchPool,
  fetchRoundResult,
  findParticipantAddress,
  findRoundAddress,
  PoolStatus,
} from "@fedstr/sdk/program";
import { PublicKey } from "@solana/web3.js";
import { expect } from "chai";
import { type RunningActor, runJson } from "../../scripts/lib/actors.js";
import { expectOnePost } from "../support/pool-world.js";
import {
  adversarialRound,
  createPool,
  join_,
  type Market,
  openRound1,
  startAggregator,
  startMarket,
  startTrainer,
} from "./market.js";

type Line = Record<string, unknown>;
/** One round of `fedstr train`'s final line. */
type RoundLine = { round: number; outcome: string; reason?: string; resultEventId?: string | null };
const posted = (round: number) => (l: Line) => l.event === "round-posted" && l.round === round;
const wallets = [
  "organization",
  ...Array.from({ length: 8 }, (_, i) => `aggregator-${i + 1}`),
  ...Array.from({ length: 8 }, (_, i) => `p${i + 1}`),
];
const TOKEN = 1_000_000n; // the localnet mint has 6 decimals
const JOIN_SECONDS = 300; // never waited out: openRound1 moves the chain clock once everyone is ready

describe("end to end: faults (localnet, relay, IPFS, separate client and aggregator processes)", function () {
  this.timeout(600_000);
  let m: Market;
  before(async () => {
    m = await startMarket(mkdtempSync(join(tmpdir(), "fedstr-e2e-")), wallets, 4);
  });
  after(async () => {
    await m?.stop();
  });

  const claim = (pool: string, who: string) =>
    runJson<{ claimed: { round: number; amount: string }[]; total: string }>(
      "fedstr",
      ["claim", pool, ...m.wallet(who)],
      { env: m.env },
    );
  const withdraw = (pool: string, who: string) =>
    runJson<{ amount: string; expired?: string }>("fedstr", ["withdraw", pool, ...m.wallet(who)], { env: m.env });
  const poolAccount = async (pool: string) =>
    (await fetchPool(m.session("organization").program, new PublicKey(pool)))!;
  const walletOf = (who: string) => m.net.wallets[who]!.publicKey.toBase58();
  const roundResult = async (pool: string, r: number) =>
    await fetchRoundResult(
      m.session("organization").program,
      findRoundAddress(new PublicKey(pool), r, m.config.programId)[0],
    );

  /** Until every one of `who` has its round-r commitment on chain (the processes are working; nothing the chain clock decides). */
  async function committed(pool: string, round: number, who: string[]): Promise<void> {
    const want = new Set(who.map(walletOf));
    for (let i = 0; ; i++) {
      const cs = await fetchCommitmentsOfRound(m.session("organization").program, new PublicKey(pool), round);
      if ([...want].every((w) => cs.some((c) => c.account.authority.toBase58() === w))) return;
      if (i > 1200) throw new Error(`round ${round}: not everyone committed`);
      await new Promise((r) => setTimeout(r, 250));
    }
  }

  /** Each trainer's final line lists every round of the pool; returns them by participant. */
  function finalRounds(trainers: RunningActor[], who: string[], numRounds: number): Map<string, RoundLine[]> {
    const out = new Map<string, RoundLine[]>();
    for (const [i, t] of trainers.entries()) {
      const done = t.lines.find((l) => l.event === "done");
      expect(done, `${who[i]}'s final line`).to.not.equal(undefined);
      const rounds = done!.rounds as RoundLine[];
      expect(
        rounds.map((r) => r.round),
        `${who[i]} lists every round`,
      ).to.deep.equal(Array.from({ length: numRounds }, (_, k) => k + 1));
      out.set(who[i]!, rounds);
    }
    return out;
  }

  /**
   * Everyone claims and withdraws; then, to the token unit: the claims are exactly what the posted
   * rounds allocated, every stake comes back whole, the stake vault is empty and the escrow holds
   * exactly what was funded and not claimed.
   */
  async function reconcile(pool: string, who: string[]): Promise<bigint> {
    let claimed = 0n;
    for (const p of who) claimed += BigInt((await claim(pool, p)).total);
    for (const p of who) expect(BigInt((await withdraw(pool, p)).amount), `${p}'s stake back`).to.equal(10n * TOKEN);
    const account = await poolAccount(pool);
    let allocated = 0n;
    for (let r = 1; r <= account.roundsPosted; r++)
      allocated += BigInt((await roundResult(pool, r))!.reward.toString());
    expect(claimed, "claimed = allocated").to.equal(allocated);
    expect(BigInt(account.totalClaimed.toString())).to.equal(claimed);
    const { escrow, vault } = await m.vaultBalances(pool);
    expect(vault, "stake vault").to.equal(0n);
    expect(escrow + claimed, "escrow + claimed = funded").to.equal(BigInt(account.totalFunded.toString()));
    return claimed;
  }

  it("an aggregator killed mid-round and restarted posts each round exactly once and loses no accepted update", async () => {
    const { pool } = await createPool(m, "aggregator-1", {
      rounds: 2,
      roundSeconds: 12,
      joinSeconds: JOIN_SECONDS,
      graceSeconds: 12,
      claimSeconds: 600,
      maxParticipants: 2,
    });
    await Promise.all(["p1", "p2"].map((p) => join_(m, pool, p)));
    const trainers = ["p1", "p2"].map((p, i) => startTrainer(m, pool, p, i));
    const first = startAggregator(m, pool, "aggregator-1");
    await openRound1(m, pool, trainers, first);
    // Kill it hard once it has aggregated round 1 (model and report uploaded), around its post.
    await first.waitFor((l) => l.round === 1 && l.event === "round-aggregated");
    first.kill("SIGKILL");
    expect(await first.exited).to.equal(null);
    const second = startAggregator(m, pool, "aggregator-1");
    expect(await second.exited).to.equal(0);
    for (const t of trainers) expect(await t.exited).to.equal(0);

    const all = [...first.lines, ...second.lines];
    for (const r of [1, 2]) {
      // A post that landed just before the kill is logged as reconciled by the restarted process.
      expect(
        all.filter((l) => l.round === r && (l.event === "round-posted" || l.event === "round-reconciled")),
        `posted/reconciled lines for round ${r}`,
      ).to.have.length(1);
      const rr = await fetchRoundResult(
        m.session("organization").program,
        findRoundAddress(new PublicKey(pool), r, m.config.programId)[0],
      );
      expect(rr, `RoundResult ${r}`).to.not.equal(null);
      expect(rr!.acceptedCount, `accepted in round ${r}`).to.equal(2);
      await expectOnePost(m.net.connection, new PublicKey(pool), r, m.config.programId);
    }
    const paid = (await claim(pool, "p1")).total;
    const paid2 = (await claim(pool, "p2")).total;
    expect(BigInt(paid) + BigInt(paid2)).to.equal(100n * TOKEN);
  });

  it("a participant that drops out: the round closes at its deadline without it, it earns nothing for that round and keeps its stake", async () => {
    const { pool } = await createPool(m, "aggregator-2", {
      rounds: 2,
      roundSeconds: 12,
      joinSeconds: JOIN_SECONDS,
      graceSeconds: 12,
      claimSeconds: 600,
      maxParticipants: 3,
    });
    await Promise.all(["p1", "p2", "p3"].map((p) => join_(m, pool, p)));
    const before = await m.tokenBalance("p3");
    const trainers = ["p1", "p2", "p3"].map((p, i) => startTrainer(m, pool, p, i));
    const aggregator = startAggregator(m, pool, "aggregator-2");
    await openRound1(m, pool, trainers, aggregator);
    await trainers[2]!.waitFor((l) => l.event === "round-committed" && l.round === 1);
    trainers[2]!.kill("SIGKILL"); // gone for good after its round-1 commitment
    const round2 = await aggregator.waitFor(posted(2));
    const account = await poolAccount(pool);
    const rr2 = (await fetchRoundResult(
      m.session("organization").program,
      findRoundAddress(new PublicKey(pool), 2, m.config.programId)[0],
    ))!;
    expect(Number(rr2.postedAt.toString()), "round 2 waited for its deadline").to.be.at.least(
      scheduleOf(account).roundDeadline(2),
    );
    expect(round2.accepted).to.have.members([
      m.net.wallets.p1!.publicKey.toBase58(),
      m.net.wallets.p2!.publicKey.toBase58(),
    ]);
    expect(await aggregator.exited).to.equal(0);
    for (const t of trainers.slice(0, 2)) expect(await t.exited).to.equal(0);

    const c3 = await claim(pool, "p3");
    expect(
      c3.claimed.map((c) => c.round),
      "rounds p3 is paid for",
    ).to.deep.equal([1]);
    const w3 = await withdraw(pool, "p3");
    expect(BigInt(w3.amount)).to.equal(10n * TOKEN);
    const p3 = (await fetchParticipant(
      m.session("organization").program,
      findParticipantAddress(new PublicKey(pool), m.net.wallets.p3!.publicKey, m.config.programId)[0],
    ))!;
    expect(BigInt(p3.slashed.toString())).to.equal(0n);
    // Stake back, plus its share of round 1 only.
    expect(await m.tokenBalance("p3")).to.equal(before + 10n * TOKEN + BigInt(c3.total));
  });

  it("poisoned updates are rejected with a reason, a mismatching commitment is slashed, honest participants are paid", async () => {
    const { pool } = await createPool(m, "aggregator-3", {
      rounds: 1,
      roundSeconds: 14,
      joinSeconds: JOIN_SECONDS,
      graceSeconds: 12,
      claimSeconds: 600,
      maxParticipants: 4,
    });
    await Promise.all(["p1", "p2", "p5", "p6"].map((p) => join_(m, pool, p)));
    const beforeNan = await m.tokenBalance("p5"),
      beforeLiar = await m.tokenBalance("p6");
    const trainers = ["p1", "p2"].map((p, i) => startTrainer(m, pool, p, i));
    const aggregator = startAggregator(m, pool, "aggregator-3");
    await openRound1(m, pool, trainers, aggregator);
    await Promise.all([adversarialRound(m, "p5", pool, 1, "nan"), adversarialRound(m, "p6", pool, 1, "wrongHash")]);
    const line = await aggregator.waitFor(posted(1));
    expect(await aggregator.exited).to.equal(0);
    for (const t of trainers) expect(await t.exited).to.equal(0);

    const rejected = line.rejected as { participant: string; reason: string }[];
    expect(rejected.find((r) => r.participant === m.net.wallets.p5!.publicKey.toBase58())?.reason).to.equal(
      "NON_FINITE",
    );
    expect(rejected.find((r) => r.participant === m.net.wallets.p6!.publicKey.toBase58())?.reason).to.equal(
      "HASH_MISMATCH",
    );
    expect(line.accepted).to.have.members([
      m.net.wallets.p1!.publicKey.toBase58(),
      m.net.wallets.p2!.publicKey.toBase58(),
    ]);
    const slashed = line.slashed as { participant: string; amount: string }[];
    expect(slashed.map((s) => s.participant)).to.deep.equal([m.net.wallets.p6!.publicKey.toBase58()]);

    const program = m.session("organization").program;
    const liar = (await fetchParticipant(
      program,
      findParticipantAddress(new PublicKey(pool), m.net.wallets.p6!.publicKey, m.config.programId)[0],
    ))!;
    expect(BigInt(liar.slashed.toString())).to.equal(5n * TOKEN); // 50 % (the default slash limit) of a 10-token stake
    const honest = [await claim(pool, "p1"), await claim(pool, "p2")];
    expect(BigInt(honest[0]!.total) + BigInt(honest[1]!.total), JSON.stringify(honest)).to.equal(
      roundReward(100n * TOKEN, 1, 1),
    );
    expect((await claim(pool, "p5")).claimed).to.have.length(0);
    expect(BigInt((await withdraw(pool, "p5")).amount)).to.equal(10n * TOKEN);
    expect(BigInt((await withdraw(pool, "p6")).amount)).to.equal(5n * TOKEN);
    expect(await m.tokenBalance("p5")).to.equal(beforeNan + 10n * TOKEN);
    expect(await m.tokenBalance("p6")).to.equal(beforeLiar + 5n * TOKEN);
    const account = await poolAccount(pool);
    expect(BigInt(account.totalFunded.toString())).to.equal(100n * TOKEN + 5n * TOKEN); // the slashed stake funds the escrow
  });

  it("a relay restart (and an IPFS node restart) during a round loses no event: every update of every round arrives", async () => {
    const { pool } = await createPool(m, "aggregator-4", {
      rounds: 2,
      roundSeconds: 12,
      joinSeconds: JOIN_SECONDS,
      graceSeconds: 12,
      claimSeconds: 60,
      maxParticipants: 2,
    });
    await Promise.all(["p7", "p8"].map((p) => join_(m, pool, p)));
    const trainers = ["p7", "p8"].map((p, i) => startTrainer(m, pool, p, i));
    const aggregator = startAggregator(m, pool, "aggregator-4");
    // Both services go down for 5 s as round 1 opens: the participants fetch, upload and publish into the outage.
    await openRound1(m, pool, trainers, aggregator, () =>
      Promise.all([m.net.restartRelay({ downMs: 5000 }), m.net.restartIpfs({ downMs: 5000 })]),
    );
    for (const r of [1, 2]) {
      const line = await aggregator.waitFor(posted(r));
      expect(line.accepted, `accepted in round ${r}`).to.have.members([
        m.net.wallets.p7!.publicKey.toBase58(),
        m.net.wallets.p8!.publicKey.toBase58(),
      ]);
      expect(line.rejected, `rejected in round ${r}`).to.have.length(0);
    }
    expect(await aggregator.exited).to.equal(0);
    for (const t of trainers) expect(await t.exited).to.equal(0);
    // The outage was real: the participants met it and retried (IPFS) rather than finishing before it.
    expect(
      trainers.flatMap((t) => t.stderr).filter((l) => / retry \d+ in /.test(l)),
      "retry lines from the participants",
    ).to.not.have.length(0);
  });

  it("when the aggregator never comes back the pool expires and every token goes back to its owner", async () => {
    const people = ["organization", "p1", "p2"];
    const before = new Map(await Promise.all(people.map(async (p) => [p, await m.tokenBalance(p)] as const)));
    const { pool } = await createPool(m, "aggregator-5", {
      rounds: 2,
      roundSeconds: 10,
      joinSeconds: JOIN_SECONDS,
      graceSeconds: 4,
      claimSeconds: 600,
      maxParticipants: 2,
    });
    await Promise.all(["p1", "p2"].map((p) => join_(m, pool, p)));
    const trainers = ["p1", "p2"].map((p, i) => startTrainer(m, pool, p, i));
    const aggregator = startAggregator(m, pool, "aggregator-5");
    await openRound1(m, pool, trainers, aggregator);
    // It dies for good right after posting round 1, before its feedback: the report it announced
    // before posting is still what participants claim round 1 with.
    await aggregator.waitFor(posted(1));
    aggregator.kill("SIGKILL");
    await aggregator.exited;

    const account = await poolAccount(pool);
    await m.net.timeTravel(scheduleOf(account).postDeadline(2) + 1); // round 2's posting deadline passes unposted
    const claims = [await claim(pool, "p1"), await claim(pool, "p2")];
    const claimed = claims.map((c) => BigInt(c.total));
    const w1 = await withdraw(pool, "p1"); // expires the pool first: round 2 was never posted
    expect(w1.expired, "withdraw sent expire_pool").to.be.a("string");
    await withdraw(pool, "p2");
    for (const t of trainers) expect(await t.exited, "trainers stop when the pool expired").to.equal(0);
    const expired = await poolAccount(pool);
    expect(expired.status).to.equal(PoolStatus.Expired);
    await m.net.timeTravel(Number(expired.endedAt.toString()) + scheduleOf(expired).claimWindow + 1); // past the claim window
    await runJson("fedstr", ["pool", "finalize", pool, ...m.wallet("organization")], { env: m.env });

    const final = await poolAccount(pool);
    expect(final.status).to.equal(PoolStatus.Finalized);
    expect(await m.vaultBalances(pool)).to.deep.equal({ escrow: 0n, vault: 0n });
    const round1 = roundReward(100n * TOKEN, 2, 1);
    expect(claimed[0]! + claimed[1]!, JSON.stringify(claims)).to.equal(round1);
    expect(BigInt(final.totalFunded.toString())).to.equal(
      BigInt(final.totalClaimed.toString()) + BigInt(final.totalRefunded.toString()),
    );
    expect(await m.tokenBalance("organization")).to.equal(before.get("organization")! - round1);
    expect(await m.tokenBalance("p1")).to.equal(before.get("p1")! + claimed[0]!);
    expect(await m.tokenBalance("p2")).to.equal(before.get("p2")! + claimed[1]!);
    expect(await chainTime(m.net.connection)).to.be.greaterThan(scheduleOf(final).postDeadline(2));
  });

  it("a relay down for longer than a round: the committed updates are taken from the chain, nobody sleeps through the next round, every round is accounted for", async () => {
    const who = ["p1", "p2", "p3"];
    const { pool } = await createPool(m, "aggregator-6", {
      rounds: 3,
      roundSeconds: 30,
      joinSeconds: JOIN_SECONDS,
      graceSeconds: 20,
      claimSeconds: 600,
      maxParticipants: 3,
    });
    await Promise.all(who.map((p) => join_(m, pool, p)));
    const trainers = who.map((p, i) => startTrainer(m, pool, p, i));
    const aggregator = startAggregator(m, pool, "aggregator-6");
    await openRound1(m, pool, trainers, aggregator);
    await aggregator.waitFor(posted(1));
    // The relay goes down as round 2 opens, before anyone has published round 2, and stays down until
    // round 2 is posted and everyone has committed round 3 (longer than a round of chain time).
    let relayBack!: () => void;
    const outage = m.net.restartRelay({
      until: new Promise<void>((resolve) => {
        relayBack = resolve;
      }),
    });
    const s = scheduleOf(await poolAccount(pool));
    await m.net.timeTravel(s.roundStart(2)); // round 1 closed early (everyone in): open round 2 now
    await committed(pool, 2, who);
    // Round 2's deadline and the aggregator's wait for late results pass: the chain clock, not a sleep.
    await m.net.timeTravel(s.roundDeadline(2) + Math.ceil(s.gracePeriod / 4) + 1);
    const round2 = await aggregator.waitFor(posted(2));
    await committed(pool, 3, who); // the trainers woke for round 3 while their round-2 results were still queued
    const relayDownFor = (await chainTime(m.net.connection)) - s.roundStart(2);
    relayBack();
    await outage;
    const round3 = await aggregator.waitFor(posted(3));
    expect(await aggregator.exited).to.equal(0);
    for (const t of trainers) expect(await t.exited).to.equal(0);

    expect(relayDownFor, "the relay was down for longer than a round (chain seconds)").to.be.greaterThan(
      s.roundDuration,
    );
    const collected2 = aggregator.lines.find((l) => l.event === "round-collected" && l.round === 2)!;
    expect(
      (collected2.candidates as { participant: string; fromChain?: boolean }[])
        .filter((c) => c.fromChain)
        .map((c) => c.participant),
      "round 2 taken from the chain",
    ).to.have.members(who.map(walletOf));
    for (const [r, line] of [
      [2, round2],
      [3, round3],
    ] as const) {
      expect(line.accepted, `accepted in round ${r}`).to.have.members(who.map(walletOf));
      expect(line.rejected, `rejected in round ${r}`).to.have.length(0);
    }
    for (const r of [1, 2, 3]) expect(aggregator.lines.filter(posted(r)), `round ${r} posted once`).to.have.length(1);
    // What the participants were told: every round accepted, round 2's result never reached a relay, nothing skipped.
    for (const [p, rounds] of finalRounds(trainers, who, 3)) {
      expect(
        rounds.map((r) => r.outcome),
        p,
      ).to.deep.equal(["accepted", "accepted", "accepted"]);
      expect(rounds[1]!.resultEventId, `${p}: round 2's result was not delivered`).to.equal(null);
    }
    for (const t of trainers) expect(t.lines.filter((l) => l.event === "round-skipped")).to.deep.equal([]);
    const paid = await reconcile(pool, who);
    expect(paid).to.equal([1, 2, 3].reduce((sum, r) => sum + roundReward(100n * TOKEN, 3, r), 0n));
  });

  it("an IPFS node down for longer than a round: no update is trained or uploaded for a round that cannot be committed, the missed round is named with its reason, the others are paid", async () => {
    const who = ["p4", "p5", "p6"];
    const { pool } = await createPool(m, "aggregator-7", {
      rounds: 3,
      roundSeconds: 30,
      joinSeconds: JOIN_SECONDS,
      graceSeconds: 30,
      claimSeconds: 600,
      maxParticipants: 3,
    });
    await Promise.all(who.map((p) => join_(m, pool, p)));
    const trainers = who.map((p, i) => startTrainer(m, pool, p, i));
    const aggregator = startAggregator(m, pool, "aggregator-7");
    await openRound1(m, pool, trainers, aggregator);
    // IPFS goes down once round 1's model and report are uploaded, before round 1 is posted: nobody
    // can fetch round 2's model.
    await aggregator.waitFor((l) => l.event === "round-aggregated" && l.round === 1);
    let ipfsBack!: () => void;
    const outage = m.net.restartIpfs({
      until: new Promise<void>((resolve) => {
        ipfsBack = resolve;
      }),
    });
    await aggregator.waitFor(posted(1));
    const s = scheduleOf(await poolAccount(pool));
    await m.net.timeTravel(s.roundStart(2)); // round 1 closed early (everyone in): open round 2 now
    await Promise.all(trainers.map((t) => t.waitForStderr(/ — retry \d+ in /))); // each trainer is retrying its model fetch
    await m.net.timeTravel(s.roundDeadline(2) + 1); // round 2 closes while the model is unreachable
    const skipped = await Promise.all(
      trainers.map((t) => t.waitFor((l) => l.event === "round-skipped" && l.round === 2)),
    );
    const ipfsDownFor = (await chainTime(m.net.connection)) - s.roundStart(2);
    ipfsBack();
    await outage;
    const round2 = await aggregator.waitFor(posted(2));
    const round3 = await aggregator.waitFor(posted(3));
    expect(await aggregator.exited).to.equal(0);
    for (const t of trainers) expect(await t.exited).to.equal(0);

    expect(ipfsDownFor, "IPFS was down for longer than a round (chain seconds)").to.be.greaterThan(s.roundDuration);
    for (const line of skipped)
      expect(line.reason).to.match(/^round 2 closed at .* while fetching the round's global model \(.+\)$/);
    for (const [i, t] of trainers.entries()) {
      expect(
        t.stderr.filter((l) => /^round 2: (training|update)/.test(l)),
        `${who[i]} neither trained nor uploaded for round 2`,
      ).to.deep.equal([]);
    }
    expect(round2.accepted, "nobody could commit round 2").to.have.length(0);
    expect(
      aggregator.lines.find((l) => l.event === "round-collected" && l.round === 2)!.absent,
      "the aggregator tells each of them",
    ).to.have.members(who.map(walletOf));
    for (const line of [round3, aggregator.lines.find(posted(1))!])
      expect(line.accepted).to.have.members(who.map(walletOf));
    for (const r of [1, 2, 3]) expect(aggregator.lines.filter(posted(r)), `round ${r} posted once`).to.have.length(1);
    for (const [p, rounds] of finalRounds(trainers, who, 3)) {
      expect(
        rounds.map((r) => r.outcome),
        p,
      ).to.deep.equal(["accepted", "missed", "accepted"]);
      expect(rounds[1]!.reason, p).to.match(/while fetching the round's global model/);
    }
    const paid = await reconcile(pool, who);
    expect(paid).to.equal(roundReward(100n * TOKEN, 3, 1) + roundReward(100n * TOKEN, 3, 3));
  });

  it("an aggregator down across two deadlines and restarted with its data dir: the grace saves round 1, round 2 (never open to anyone) is named as missed and why, round 3 is paid", async () => {
    const who = ["p1", "p2", "p7"];
    const { pool } = await createPool(m, "aggregator-8", {
      rounds: 3,
      roundSeconds: 30,
      joinSeconds: JOIN_SECONDS,
      graceSeconds: 50,
      claimSeconds: 600,
      maxParticipants: 3,
    });
    await Promise.all(who.map((p) => join_(m, pool, p)));
    const trainers = who.map((p, i) => startTrainer(m, pool, p, i));
    const first = startAggregator(m, pool, "aggregator-8");
    await openRound1(m, pool, trainers, first);
    first.kill("SIGKILL"); // gone as round 1 opens
    await first.exited;
    await committed(pool, 1, who);
    await Promise.all(trainers.map((t) => t.waitFor((l) => l.event === "round-committed" && l.round === 1)));
    const s = scheduleOf(await poolAccount(pool));
    await m.net.timeTravel(s.roundDeadline(2) + 1); // two deadlines pass with no aggregator; round 1 can still be posted (grace 50 s)
    const second = startAggregator(m, pool, "aggregator-8");
    expect(await second.exited).to.equal(0);
    for (const t of trainers) expect(await t.exited).to.equal(0);

    const all = [...first.lines, ...second.lines];
    for (const r of [1, 2, 3]) expect(all.filter(posted(r)), `round ${r} posted once`).to.have.length(1);
    const rr1 = (await roundResult(pool, 1))!;
    expect(Number(rr1.postedAt.toString()), "round 1 posted after round 2 closed").to.be.at.least(s.roundDeadline(2));
    expect(all.find(posted(1))!.accepted, "round 1 saved by the grace").to.have.members(who.map(walletOf));
    expect(all.find(posted(2))!.accepted).to.have.length(0);
    expect(all.find(posted(3))!.accepted).to.have.members(who.map(walletOf));
    for (const [p, rounds] of finalRounds(trainers, who, 3)) {
      expect(
        rounds.map((r) => r.outcome),
        p,
      ).to.deep.equal(["accepted", "missed", "accepted"]);
      expect(rounds[1]!.reason, p).to.match(
        /^round 2 closed at .* before its global model existed: the aggregator posted round 1 only at /,
      );
    }
    for (const [i, t] of trainers.entries()) {
      expect(
        t.lines.filter((l) => l.event === "round-skipped").map((l) => l.round),
        `${who[i]}'s skipped rounds`,
      ).to.deep.equal([2]);
    }
    const paid = await reconcile(pool, who);
    expect(paid).to.equal(roundReward(100n * TOKEN, 3, 1) + roundReward(100n * TOKEN, 3, 3));
  });
});
