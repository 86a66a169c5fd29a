/**
 * 100 participants in one round on the real localnet with the real `fedstr-aggregator run`
 * process (tests/support/load-round.ts): 85 honest, 10 misbehaving (hash mismatch, NaN, silent: committed, no result) and 5
 * stragglers that try to commit after the deadline. The chain clock is moved to the deadline once
 * the on-time participants are done; the round closes there without the stragglers. Every honest
 * participant is accepted and paid, every cheat rejected (the hash cheats slashed), the aggregator
 * sends one transaction plus one per slash, its feedback is a few events naming many participants
 * plus one per rejection, and the funds reconcile to the token unit. The
 * figures are the bench's (`npm run bench:round`); this test asserts behaviour only.
 */

import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { expect } from "chai";
import { type LocalnetHandle, startLocalnet } from "../../localnet/index.js";
import { behaviours, LOAD_WALLETS, type LoadResult, runLoadRounds } from "../support/load-round.js";

const N = 100,
  MISBEHAVE = 0.1,
  LATE = 0.05;

describe("aggregator: 100 participants in one round", function () {
  this.timeout(600_000);
  let dir: string;
  let net: LocalnetHandle;
  let run: LoadResult | undefined;

  before(async () => {
    dir = mkdtempSync(join(tmpdir(), "fedstr-agg-scale-"));
    net = await startLocalnet({ dir: join(dir, "localnet"), slotTimeMs: 100, wallets: LOAD_WALLETS });
  });
  after(async () => {
    run?.aggregator.kill("SIGKILL");
    await run?.org.close().catch(() => undefined);
    await net?.stop();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it("accepts and pays every honest participant, rejects every cheat (slashing the provable ones), closes at the deadline without the stragglers, tells everyone in a few events, and reconciles the funds", async () => {
    const log = process.env.FEDSTR_TEST_VERBOSE ? (l: string) => console.log(`      ${l}`) : undefined;
    run = await runLoadRounds(net, {
      participants: N,
      rounds: 1,
      strategy: "fedavg",
      misbehave: MISBEHAVE,
      late: LATE,
      train: false,
      ...(log ? { log } : {}),
    });
    const r = run;
    expect(r.exitCode, JSON.stringify(r.aggregator.lines.slice(-3))).to.equal(0);
    const kinds = behaviours(N, MISBEHAVE, LATE);
    const wallets = (b: string) => r.behaviours.flatMap((k, i) => (k === b ? [r.wallets[i]!] : [])).sort();
    expect(r.behaviours).to.deep.equal(kinds);
    expect(wallets("honest")).to.have.length(85);
    expect(wallets("late")).to.have.length(5);

    const round = r.rounds[0]!;
    // Every honest participant in, and the silent ones too (committed on chain: the missing result is only a
    // notification, the update is taken from the chain); nobody else; each claimed its reward and, in the
    // same transaction, closed its commitment: the rent is back once the round is posted.
    const paid = [...wallets("honest"), ...wallets("silent")].sort();
    expect([...round.accepted].sort()).to.deep.equal(paid);
    expect(round.claimed).to.equal(paid.length);
    expect(round.commitmentsClosedAtClaim).to.equal(paid.length);
    expect(round.claimedTotal).to.equal(round.reportReward);
    // Every cheat rejected for what it did; the hash cheats slashed, nobody else.
    const reasons = Object.fromEntries(round.rejected.map((x) => [x.participant, x.reason]));
    for (const w of wallets("hash")) expect(reasons[w], w).to.equal("HASH_MISMATCH");
    for (const w of wallets("nan")) expect(reasons[w], w).to.equal("NON_FINITE");
    expect(Object.keys(reasons)).to.have.length(wallets("hash").length + wallets("nan").length);
    expect([...round.slashed].sort()).to.deep.equal(wallets("hash"));
    // The stragglers: refused by the chain after the deadline, not in the round, and the round closed without waiting for them.
    expect(round.lateRefused).to.deep.equal({ RoundNotOpen: 5 });
    const collected = r.aggregator.lines.find((l) => l.event === "round-collected" && l.round === 1)!;
    expect(collected.complete, "closed at the deadline, not because everyone was in").to.equal(false);
    const candidates = (collected.candidates as { participant: string }[]).map((c) => c.participant);
    for (const w of wallets("late")) expect(candidates).to.not.include(w);
    // The aggregator: the post plus one transaction per slash, whatever N.
    expect(round.aggregatorTxs).to.equal(1 + wallets("hash").length);
    // Feedback grows with the rejections, not the participants: one notice naming every candidate, one announce
    // naming everyone, one verdict naming every accepted participant, one error per rejected update with its
    // reason, one naming the absent; every event went out (feedback-sent), each participant told what it needs.
    const keyOf = new Map(r.wallets.map((w, i) => [w, r.nostrKeys[i]!]));
    const told = (w: string) => [...(round.feedbackTo[keyOf.get(w)!] ?? [])].sort();
    const aggregating = "processing: aggregating round 1",
      posting = "processing: round 1 aggregated; posting it on chain";
    for (const w of paid) expect(told(w), w).to.deep.equal([aggregating, posting, "success: "]);
    for (const w of [...wallets("hash"), ...wallets("nan")]) {
      const [verdict, a, b] = told(w);
      expect([a, b]).to.deep.equal([aggregating, posting]);
      expect(verdict).to.match(new RegExp(`^error: round 1 update rejected: ${reasons[w]}: `));
    }
    for (const w of wallets("late"))
      expect(told(w), w).to.deep.equal([
        "error: round 1 missed: no commitment from you by the round's deadline",
        posting,
      ]);
    expect(Object.keys(round.feedbackTo)).to.have.length(N);
    const per200 = (n: number) => Math.ceil(n / 200);
    expect(round.feedbackEvents).to.equal(
      per200(N - 5) + per200(N) + per200(paid.length) + Object.keys(reasons).length + per200(5),
    );
    expect(round.feedbackSent, "no feedback-pending").to.equal(true);
    // Funds to the token unit: escrow = funded + slashed − claimed, vault = stakes − slashed.
    expect(r.reconcile.ok, JSON.stringify(r.reconcile)).to.equal(true);
  });
});
