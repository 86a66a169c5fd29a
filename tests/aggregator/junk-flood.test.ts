/**
 * Junk from strangers during a round, on the real localnet with the real relay and the real
 * `fedstr-aggregator run` process: 20,000 validly signed, wallet-bound results from fresh keys that
 * never joined plus 20,000 validly signed malformed ones, with the three honest participants'
 * results published behind half of them. Every honest participant is accepted and paid, the report
 * and the feedback know only participants, the junk is dropped and counted, and the aggregator's
 * data dir stays O(participants).
 */

import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { decodeRoundReport } from "@fedstr/sdk/job";
import { EventReader, jobFeedbackFilter, queryEvents } from "@fedstr/sdk/nostr";
import { claimRewardIx, fetchRoundResult, findRoundAddress, rewardClaimFromJson } from "@fedstr/sdk/program";
import { getAssociatedTokenAddressSync } from "@solana/spl-token";
import { PublicKey } from "@solana/web3.js";
import { expect } from "chai";
import { checkpointDir } from "../../aggregator/src/checkpoint.js";
import { type LocalnetHandle, startLocalnet } from "../../localnet/index.js";
import { HONEST, JUNK_WALLETS, type JunkRound, runJunkRound } from "./junk-round.js";

const BOUND = 20_000,
  MALFORMED = 20_000;

describe("aggregator: a junk flood from strangers during a round", function () {
  this.timeout(1_800_000);
  let dir: string;
  let net: LocalnetHandle;
  let run: JunkRound | undefined;

  before(async () => {
    dir = mkdtempSync(join(tmpdir(), "fedstr-agg-junk-"));
    net = await startLocalnet({ dir: join(dir, "localnet"), slotTimeMs: 100, wallets: JUNK_WALLETS });
  });
  after(async () => {
    for (const s of Object.values(run?.sessions ?? {})) await s.close().catch(() => undefined);
    await net?.stop();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it("accepts and pays every honest participant, reports and answers only participants, drops the junk at O(1) and keeps the data dir O(participants)", async () => {
    const log = process.env.FEDSTR_TEST_VERBOSE ? (l: string) => console.log(`      ${l}`) : undefined;
    run = await runJunkRound(net, { bound: BOUND, malformed: MALFORMED, ...(log ? { log } : {}) });
    const r = run;
    const lines = r.aggregator.lines;
    console.log(
      `      junk: identities ${Math.round(r.flood.generation.identityMs)} ms (${r.flood.generation.generatedIdentities} generated), signing ${Math.round(r.flood.generation.signMs)} ms, publishing ${Math.round(r.flood.publishMs)} ms; round overhead ${r.overheadMs} ms; aggregator peak RSS ${Math.round(r.peakRssKb / 1024)} MiB`,
    );
    expect(r.exitCode, JSON.stringify(lines.slice(-3))).to.equal(0);
    // The flood went in within the relay's per-connection limits: nothing refused.
    expect(r.flood.ok).to.equal(BOUND + MALFORMED);
    expect(r.flood.refused).to.deep.equal({});
    expect(r.junkBeforeHonest, "the honest results went out behind half the junk").to.be.at.least(
      (BOUND + MALFORMED) / 2,
    );

    const wallet = (n: string) => net.wallets[n]!.publicKey.toBase58();
    const honest = HONEST.map(wallet).sort();
    const collected = lines.find((l) => l.event === "round-collected" && l.round === 1)!;
    expect(collected.complete, "collected because everyone was in, not at a deadline").to.equal(true);
    expect((collected.candidates as { participant: string }[]).map((c) => c.participant)).to.deep.equal(honest);
    // The relay stored the junk (above) but never sent it: the results subscription's `authors`
    // filter names the participants' Nostr keys as join_pool recorded them on chain. (What does
    // reach the reader from a stranger is dropped before any signature check: collect.test.ts.)
    const ingest = collected.ingest as Record<string, number>;
    expect(ingest.accepted, JSON.stringify(ingest)).to.equal(3);
    expect(ingest.notParticipant ?? 0, JSON.stringify(ingest)).to.equal(0);
    expect(ingest.unboundIdentity ?? 0, JSON.stringify(ingest)).to.equal(0);
    expect(
      lines
        .filter((l) => l.event === "result-received")
        .map((l) => l.participant)
        .sort(),
    ).to.deep.equal(honest);

    const posted = lines.find((l) => l.event === "round-posted" && l.round === 1)!;
    expect([...(posted.accepted as string[])].sort()).to.deep.equal(honest);
    expect(posted.rejected).to.deep.equal([]);

    // The report on IPFS lists the participants only, and each of them claims its reward with it.
    const org = r.sessions.organization!;
    const store = await org.store();
    const report = decodeRoundReport(await store.get((posted.report as { cid: string }).cid));
    expect(report.updates.map((u) => u.participant).sort()).to.deep.equal(honest);
    const rr = (await fetchRoundResult(
      org.program,
      findRoundAddress(new PublicKey(r.pool), 1, org.program.programId)[0],
    ))!;
    for (const name of HONEST) {
      const s = r.sessions[name]!;
      const claim = rewardClaimFromJson(report.rewards, s.wallet.publicKey, Uint8Array.from(rr.merkleRoot))!;
      expect(claim.amount > 0n, `${name} has a reward`).to.equal(true);
      const ata = getAssociatedTokenAddressSync(net.mint, s.wallet.publicKey);
      const before = BigInt((await net.connection.getTokenAccountBalance(ata)).value.amount);
      await s.send("claim", [
        await claimRewardIx(s.program, {
          participant: s.wallet.publicKey,
          pool: rr.pool,
          round: 1,
          weight: claim.weight,
          amount: claim.amount,
          updateHash: claim.updateHash,
          proof: claim.proof,
          destination: ata,
        }),
      ]);
      const after = BigInt((await net.connection.getTokenAccountBalance(ata)).value.amount);
      expect(after - before, `${name} was paid`).to.equal(claim.amount);
    }

    // No feedback to a stranger: every kind-7000 event the aggregator published is addressed to a participant.
    const feedback = await queryEvents(await org.relays(), [
      { ...jobFeedbackFilter(r.jobEvent.id, { from: [r.aggregatorNostr] }), limit: 1000 },
    ]);
    const fbReader = new EventReader({ maxAgeSec: 86400 });
    fbReader.followJob(r.jobEvent.id, [r.aggregatorNostr]);
    const recipients = new Set(
      feedback.flatMap((e) => {
        const a = fbReader.accept(e);
        return a?.type === "feedback" ? a.feedback.recipients : [];
      }),
    );
    expect([...recipients].sort()).to.deep.equal(Object.values(r.honestNostr).sort());

    // The data dir holds O(participants): the checkpoint, the report files, no journal left; nothing of the junk.
    const cpDir = checkpointDir(join(net.dir, "data"), r.pool);
    const files = readdirSync(cpDir);
    const bytes = files.reduce((n, f) => n + statSync(join(cpDir, f)).size, 0);
    console.log(`      data dir: ${files.join(", ")} — ${bytes} bytes`);
    expect(
      files.filter((f) => f.startsWith("results-")),
      "journals of collected rounds are gone",
    ).to.deep.equal([]);
    expect(bytes, "data dir bytes: 16 KiB + 16 KiB per participant").to.be.below(16_384 + 16_384 * HONEST.length);
    const state = readFileSync(join(cpDir, "state.json"), "utf8");
    expect(state.includes("not a result") || state.includes("NOT_PARTICIPANT")).to.equal(false);
  });
});
