/**
 * The real `fedstr-aggregator run` process against the embedded localnet (Surfpool with the fedstr
 * program, the embedded relay and IPFS node). Participants are driven through the SDK directly
 * (commit_update + an encrypted kind-6720 result), so this test depends on nothing but the
 * aggregator: round 1 has an honest update, a NaN update and a commitment whose hash does not match
 * its bytes; the aggregator is SIGKILLed right after it aggregated round 1 and restarted; round 2
 * has a participant that commits but never publishes, so it closes at the deadline.
 */

import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import * as fl from "@fedstr/sdk/fl";
import { decodeRoundReport, modelForRound, scheduleOf, waitForChainTime } from "@fedstr/sdk/job";
import { type Event, EventReader, jobFeedbackFilter } from "@fedstr/sdk/nostr";
import {
  fetchParticipant,
  fetchPool,
  fetchRoundResult,
  findParticipantAddress,
  findRoundAddress,
  rewardClaimFromJson,
} from "@fedstr/sdk/program";
import { sha256Hex } from "@fedstr/sdk/storage";
import { expect } from "chai";
import { checkpointDir } from "../../aggregator/src/checkpoint.js";
import { commitIx, expectOnePost, type PoolWorld, resultEvent, startPoolWorld, TOKEN } from "../support/pool-world.js";

const PARTICIPANTS = ["p1", "p2", "p3"];

describe("aggregator: fedstr-aggregator run on the localnet", function () {
  this.timeout(240_000);
  let world: PoolWorld;

  before(async () => {
    world = await startPoolWorld("agg-localnet", ["organization", "aggregator", ...PARTICIPANTS]);
  });
  after(async () => {
    await world?.close();
  });

  it("verifies, slashes, posts each round exactly once across a SIGKILL, pays by the published tree and sends feedback", async () => {
    const { net, config } = world;
    const org = world.session("organization");
    const store = await org.store();
    const relays = await org.relays();
    const { pool, plan, jobEvent, aggregatorNostr } = await world.createDigitsPool({
      rounds: 2,
      joinSeconds: 10,
      roundSeconds: 10,
      graceSeconds: 60,
      claimSeconds: 60,
      maxParticipants: 5,
    });
    await world.join(pool, PARTICIPANTS);
    const people = Object.fromEntries(PARTICIPANTS.map((name) => [name, world.session(name)]));
    const wallet = (name: string) => net.wallets[name]!.publicKey.toBase58();

    // What a participant does in a round, honest or not.
    const participate = async (name: string, round: number, kind: "honest" | "nan" | "wrongHash" | "silent") => {
      const s = people[name]!;
      const account = (await fetchPool(s.program, pool))!;
      await waitForChainTime(s.connection, scheduleOf(account).roundStart(round), { pollMs: 200 });
      let ref = await modelForRound(s.program, pool, account, round, plan.model.initialWeights.sha256);
      while (ref === undefined) {
        await new Promise((r) => setTimeout(r, 200));
        ref = await modelForRound(
          s.program,
          pool,
          (await fetchPool(s.program, pool))!,
          round,
          plan.model.initialWeights.sha256,
        );
      }
      const global = fl.decode(await store.get(ref.cid), { copy: true });
      const weights = fl.cloneWeights(global);
      weights.forEach((t, k) => {
        const v = t.values as Float32Array;
        for (let i = 0; i < v.length; i += 97) v[i] = v[i]! + 0.001 * (k + 1) * (name.charCodeAt(1) - 48);
      });
      if (kind === "nan") (weights[0]!.values as Float32Array)[5] = NaN;
      const bytes = fl.encode(weights);
      const cid = (await store.put(bytes)).toString();
      const sha = kind === "wrongHash" ? sha256Hex(new TextEncoder().encode("not the bytes")) : sha256Hex(bytes);
      const update = { cid, sha, samples: 100 + name.charCodeAt(1) };
      await s.send("commit", [await commitIx(s, pool, round, update)]);
      if (kind === "silent") return;
      await relays.publish(await resultEvent(s, jobEvent, aggregatorNostr, round, update));
    };

    // Feedback addressed to each participant, as its client would read it.
    const feedback: { name: string; event: Event }[] = [];
    for (const name of ["p1", "p2", "p3"]) {
      // A reader per participant, as each client has: one verdict event may name several of them.
      const fbReader = new EventReader({ maxAgeSec: 3600 });
      fbReader.followJob(jobEvent.id, [aggregatorNostr]);
      relays.subscribe(
        [jobFeedbackFilter(jobEvent.id, { recipient: people[name]!.nostr.pubkey, from: [aggregatorNostr] })],
        {
          onevent: (e) => {
            if (fbReader.accept(e)?.type === "feedback") feedback.push({ name, event: e });
          },
        },
      );
    }

    const verbose = (l: unknown) => {
      if (process.env.FEDSTR_TEST_VERBOSE)
        console.log(`      [aggregator] ${typeof l === "string" ? l : JSON.stringify(l)}`);
    };
    const start = () => world.startAggregator(pool, { onStderr: verbose, onLine: verbose });
    // SIGTERM while waiting for round 1: a clean stop (exit 143) that leaves a loadable checkpoint.
    const stopped = start();
    await stopped.waitFor((l) => l.event === "round-waiting" && l.round === 1);
    stopped.kill("SIGTERM");
    expect(await stopped.exited).to.equal(143);
    expect(stopped.lines.at(-1)).to.deep.include({ event: "done", signal: "SIGTERM" });

    const first = start();
    await Promise.all([participate("p1", 1, "honest"), participate("p2", 1, "nan"), participate("p3", 1, "wrongHash")]);
    await first.waitFor((l) => l.event === "round-aggregated" && l.round === 1);
    first.kill("SIGKILL");
    expect(await first.exited).to.equal(null); // killed by the signal
    const second = start();
    const round2 = Promise.all([
      participate("p1", 2, "honest"),
      participate("p2", 2, "honest"),
      participate("p3", 2, "silent"),
    ]);
    expect(await second.exited, JSON.stringify(second.lines.slice(-3))).to.equal(0);
    await round2;

    const lines = [...stopped.lines, ...first.lines, ...second.lines];
    const program = org.program;
    // Exactly one post per round: one successful transaction on each RoundResult account, no failed one.
    for (const r of [1, 2]) {
      const announced = lines.filter(
        (l) => (l.event === "round-posted" || l.event === "round-reconciled") && l.round === r,
      );
      expect(announced.length, `posted/reconciled lines for round ${r}`).to.be.at.least(1);
      expect(
        lines.filter((l) => l.event === "round-posted" && l.round === r).length,
        `round-posted lines for round ${r}`,
      ).to.be.at.most(1);
      await expectOnePost(net.connection, pool, r, config.programId);
    }
    expect(lines.find((l) => l.event === "pool-ended")).to.include({ status: "finished" });
    expect(second.lines.at(-1)!.event).to.equal("done");

    // Round 1: p1 accepted; p2 NON_FINITE (not slashed); p3 HASH_MISMATCH and slashed 50 % of its stake, once.
    const cp = JSON.parse(
      readFileSync(join(checkpointDir(join(net.dir, "data"), pool.toBase58()), "state.json"), "utf8"),
    );
    const r1 = cp.rounds["1"],
      r2 = cp.rounds["2"];
    expect(r1.phase).to.equal("feedback-sent");
    expect(r1.aggregated.accepted).to.deep.equal([wallet("p1")]);
    const reasons1 = Object.fromEntries(
      r1.aggregated.rejected.map((x: { participant: string; reason: string }) => [x.participant, x.reason]),
    );
    expect(reasons1).to.deep.equal({ [wallet("p2")]: "NON_FINITE", [wallet("p3")]: "HASH_MISMATCH" });
    const p3 = (await fetchParticipant(
      program,
      findParticipantAddress(pool, net.wallets.p3!.publicKey, config.programId)[0],
    ))!;
    expect(BigInt(p3.slashed.toString())).to.equal(5n * TOKEN);
    const p2 = (await fetchParticipant(
      program,
      findParticipantAddress(pool, net.wallets.p2!.publicKey, config.programId)[0],
    ))!;
    expect(BigInt(p2.slashed.toString())).to.equal(0n);
    expect(lines.filter((l) => l.event === "slash-failed")).to.have.length(0);

    // Round 2: p3 committed but never published: its update is taken from the chain and accepted; the
    // round waited for its deadline.
    expect([...r2.aggregated.accepted].sort()).to.deep.equal([wallet("p1"), wallet("p2"), wallet("p3")].sort());
    expect(r2.aggregated.rejected).to.deep.equal([]);
    expect(r2.candidates.find((c: { participant: string }) => c.participant === wallet("p3"))).to.include({
      fromChain: true,
    });
    const account = (await fetchPool(program, pool))!;
    const rr2 = (await fetchRoundResult(program, findRoundAddress(pool, 2, config.programId)[0]))!;
    expect(Number(rr2.postedAt.toString())).to.be.at.least(scheduleOf(account).roundDeadline(2));

    // The published reports match the chain, and a participant can claim from them.
    for (const [r, rc] of [
      [1, r1],
      [2, r2],
    ] as const) {
      const report = decodeRoundReport(await store.get(rc.aggregated.report.cid));
      const rr = (await fetchRoundResult(program, findRoundAddress(pool, r, config.programId)[0]))!;
      expect(Buffer.from(rr.globalModelHash).toString("hex")).to.equal(report.model.sha256);
      expect(report.rewards.root).to.equal(Buffer.from(rr.merkleRoot).toString("hex"));
      expect(rr.reward.toString()).to.equal(report.reward);
      expect(BigInt(report.reward)).to.equal(50n * TOKEN);
      expect(Number(rr.metric.toString()), "holdout accuracy × 1e6").to.be.within(1, 1_000_000);
      const claim = rewardClaimFromJson(report.rewards, net.wallets.p1!.publicKey, Uint8Array.from(rr.merkleRoot))!;
      expect(claim.amount > 0n).to.equal(true);
      expect(existsSync(join(checkpointDir(join(net.dir, "data"), pool.toBase58()), `round-${r}.txt`))).to.equal(true);
    }

    // Feedback: p1 partial then success; p2 an error naming NON_FINITE (with the report), then
    // success; p3 an error for round 1,
    // then success for its round-2 update taken from the chain (addressed to the Nostr key join_pool recorded).
    const statusOf = (name: string) =>
      feedback
        .filter((f) => f.name === name)
        .map(
          (f) =>
            `${f.event.tags.find((t) => t[0] === "status")![1]}:${f.event.tags.find((t) => t[0] === "round")?.[1]}`,
        );
    const deadline = Date.now() + 10_000;
    while (Date.now() < deadline && !["p1", "p2", "p3"].every((p) => statusOf(p).includes("success:2")))
      await new Promise((r) => setTimeout(r, 200));
    expect(statusOf("p1")).to.include.members(["partial:1", "success:2"]);
    expect(statusOf("p2")).to.include.members(["error:1", "success:2"]);
    const p2err = feedback.find(
      (f) => f.name === "p2" && f.event.tags.some((t) => t[0] === "status" && t[1] === "error"),
    )!;
    expect(p2err.event.tags.find((t) => t[0] === "status")![2]).to.match(/^round 1 update rejected: NON_FINITE: /);
    expect(p2err.event.tags.some((t) => t[0] === "report")).to.equal(true);
    expect(statusOf("p3")).to.include.members(["error:1", "success:2"]);
  });
});
