import { expect } from "chai";
import * as nip44 from "nostr-tools/nip44";
import { finalizeEvent, getEventHash } from "nostr-tools/pure";
import {
  buildFeedback,
  buildJobRequest,
  buildResult,
  createBinding,
  EventReader,
  nativeConversationKey,
  type ResultPayload,
  solanaSignerFromSecretKey,
} from "../../sdk/src/nostr/index.js";
import { actor, sampleJob, T0 } from "./fixtures.js";

const payload = (round: number): ResultPayload => ({
  update: "bafkreigh2akiscaildcqabsyg3dfr6chu3fgpregiymsck7e7aqa4s52zy",
  sha256: "a948904f2f0f479b8f8197694b30184b0d2ed1c1cd2a1ec0fb85d299a192a447",
  samples: 100,
  round,
  metrics: { loss: 0.5 },
});

describe("nostr/EventReader: verify, de-duplicate, count, never throw", () => {
  it("accepts good events and drops forged, malformed, wrong-kind, oversized ones, counting each reason", async () => {
    const agg = await actor();
    const p = await actor();
    const reader = new EventReader({ now: () => T0, decryptWith: agg.sk, maxEventBytes: 8 * 1024 });
    const job = buildJobRequest(sampleJob(agg.pk), agg.sk, { createdAt: T0 });
    const res = buildResult({ job, aggregator: agg.pk, payload: payload(0), binding: p.binding, encrypt: true }, p.sk, {
      createdAt: T0,
    });
    expect(reader.accept(job)?.type).to.equal("job-request");
    const r = reader.accept(res);
    expect(r?.type).to.equal("result");
    if (r?.type === "result") {
      expect(r.result.payload).to.deep.equal(payload(0));
      expect(r.result.binding.solanaPubkey).to.equal(p.solana.publicKey);
    }

    // forged: content changed, id recomputed, old signature kept
    const forgedBody = { ...job, content: "pay the attacker" };
    expect(reader.accept({ ...forgedBody, id: getEventHash(forgedBody) })).to.equal(null);
    // forged: id not matching the content
    expect(reader.accept({ ...job, content: "x" })).to.equal(null);
    // wrong kind (validly signed kind 1)
    expect(reader.accept(finalizeEvent({ kind: 1, created_at: T0, tags: [], content: "hi" }, p.sk))).to.equal(null);
    // schema: a job request without the pool param, validly signed
    expect(
      reader.accept(
        finalizeEvent(
          { kind: 5720, created_at: T0, tags: job.tags.filter((t) => t[1] !== "pool"), content: "" },
          agg.sk,
        ),
      ),
    ).to.equal(null);
    // garbage of every sort
    for (const junk of [
      null,
      42,
      "EVENT",
      [],
      { id: "zz" },
      { ...job, tags: "nope" },
      { ...job, created_at: -1 },
      { ...job, kind: 1.5 },
    ]) {
      expect(reader.accept(junk)).to.equal(null);
    }
    // oversized
    expect(
      reader.accept(finalizeEvent({ kind: 7000, created_at: T0, tags: [], content: "x".repeat(9000) }, p.sk)),
    ).to.equal(null);

    expect(reader.counters).to.include({ accepted: 2, badSignature: 1, badId: 1, wrongKind: 1, oversized: 1 });
    expect(reader.counters.malformed).to.equal(9);
  });

  it("drops duplicates and replays: same id twice, or a second result for the same job/author/round", async () => {
    const agg = await actor();
    const p = await actor();
    const reader = new EventReader({ now: () => T0, decryptWith: agg.sk });
    const job = buildJobRequest(sampleJob(agg.pk), agg.sk, { createdAt: T0 });
    const first = buildResult(
      { job, aggregator: agg.pk, payload: payload(1), binding: p.binding, encrypt: true },
      p.sk,
      { createdAt: T0 },
    );
    const again = buildResult(
      { job, aggregator: agg.pk, payload: { ...payload(1), samples: 9999 }, binding: p.binding, encrypt: true },
      p.sk,
      { createdAt: T0 + 1 },
    );
    const nextRound = buildResult(
      { job, aggregator: agg.pk, payload: payload(2), binding: p.binding, encrypt: true },
      p.sk,
      { createdAt: T0 + 2 },
    );
    expect(reader.accept(first)).to.not.equal(null);
    expect(reader.accept(first)).to.equal(null); // same event from a second relay
    expect(reader.accept(again)).to.equal(null); // replay: round 1 already reported
    expect(reader.accept(nextRound)).to.not.equal(null);
    // The same round-3 feedback, signed twice a second apart.
    const feedback = (createdAt: number) =>
      buildFeedback(
        {
          jobId: job.id,
          recipients: [p.pk],
          status: "success",
          round: 3,
          model: { cid: payload(0).update, sha256: payload(0).sha256 },
        },
        agg.sk,
        { createdAt },
      );
    expect(reader.accept(feedback(T0))).to.not.equal(null);
    expect(reader.accept(feedback(T0 + 1))).to.equal(null);
    expect(reader.counters).to.include({ accepted: 3, duplicate: 1, replayed: 2 });
  });

  it("a round verdict naming many recipients is a replay for each of them: a second one naming any is dropped", async () => {
    const agg = await actor();
    const [a, b, c] = [await actor(), await actor(), await actor()];
    const job = buildJobRequest(sampleJob(agg.pk), agg.sk, { createdAt: T0 });
    const reader = new EventReader({ now: () => T0 });
    reader.followJob(job.id, [agg.pk]);
    const verdict = (recipients: string[], createdAt: number) =>
      buildFeedback(
        {
          jobId: job.id,
          recipients,
          status: "partial",
          round: 1,
          model: { cid: payload(0).update, sha256: payload(0).sha256 },
        },
        agg.sk,
        { createdAt },
      );
    const first = reader.accept(verdict([a.pk, b.pk], T0));
    expect(first?.type === "feedback" && first.feedback.recipients).to.deep.equal([a.pk, b.pk]);
    expect(reader.accept(verdict([b.pk, c.pk], T0 + 1)), "b already had round 1's verdict").to.equal(null);
    expect(reader.accept(verdict([c.pk], T0 + 2)), "c had none").to.not.equal(null);
    expect(reader.counters).to.include({ accepted: 2, replayed: 1 });
  });

  it("a binding the caller knows from elsewhere (the chain) skips the binding's signatures, and only that pair", async () => {
    const agg = await actor();
    const p = await actor();
    const other = await actor();
    const job = buildJobRequest(sampleJob(agg.pk), agg.sk, { createdAt: T0 });
    // A binding whose wallet signature is not over p's key: only the chain can vouch for the pair.
    const broken = { ...p.binding, solanaSig: other.binding.solanaSig };
    const result = (round: number) =>
      buildResult({ job, aggregator: agg.pk, payload: payload(round), binding: broken, encrypt: true }, p.sk, {
        createdAt: T0,
      });
    const onChain = new EventReader({
      now: () => T0,
      decryptWith: agg.sk,
      boundElsewhere: (wallet, key) => wallet === p.binding.solanaPubkey && key === p.pk,
    });
    const a = onChain.accept(result(1));
    expect(a?.type === "result" && a.result.payload).to.deep.equal(payload(1));
    const strict = new EventReader({
      now: () => T0,
      decryptWith: agg.sk,
      boundElsewhere: (wallet, key) => wallet === other.binding.solanaPubkey && key === p.pk,
    });
    expect(strict.accept(result(1))).to.equal(null);
    expect(strict.counters).to.include({ badBinding: 1, accepted: 0 });
  });

  it("decrypts with a conversation key computed once per author; Node's native one is nostr-tools' to the byte", async () => {
    const agg = await actor();
    const people = [await actor(), await actor()];
    for (const p of people)
      expect(nativeConversationKey(agg.sk, p.pk)).to.deep.equal(nip44.getConversationKey(agg.sk, p.pk));
    const job = buildJobRequest(sampleJob(agg.pk), agg.sk, { createdAt: T0 });
    const computed: string[] = [];
    const reader = new EventReader({
      now: () => T0,
      decryptWith: agg.sk,
      conversationKey: (sk, author) => {
        computed.push(author);
        return nativeConversationKey(sk, author);
      },
    });
    for (const round of [1, 2, 3])
      for (const p of people) {
        const e = buildResult(
          { job, aggregator: agg.pk, payload: payload(round), binding: p.binding, encrypt: true },
          p.sk,
          { createdAt: T0 },
        );
        const a = reader.accept(e);
        expect(a?.type === "result" && a.result.payload).to.deep.equal(payload(round));
      }
    expect(computed).to.deep.equal(people.map((p) => p.pk));
  });

  it("enforces the created_at window with an injected clock", async () => {
    const agg = await actor();
    let now = T0;
    const reader = new EventReader({ now: () => now, maxAgeSec: 3600, maxFutureSec: 60 });
    const mk = (t: number): ReturnType<typeof buildJobRequest> =>
      buildJobRequest(sampleJob(agg.pk), agg.sk, { createdAt: t });
    expect(reader.accept(mk(T0 - 3600))).to.not.equal(null);
    expect(reader.accept(mk(T0 - 3601))).to.equal(null);
    expect(reader.accept(mk(T0 + 60))).to.not.equal(null);
    expect(reader.accept(mk(T0 + 61))).to.equal(null);
    now = T0 + 7200; // time passes: what was fresh is now stale
    expect(reader.accept(mk(T0))).to.equal(null);
    expect(reader.counters).to.include({ accepted: 2, stale: 2, future: 1 });
  });

  it("trusts a result only with a binding that verifies for its author", async () => {
    const agg = await actor();
    const p = await actor();
    const mallory = await actor();
    const reader = new EventReader({ now: () => T0, decryptWith: agg.sk });
    const job = buildJobRequest(sampleJob(agg.pk), agg.sk, { createdAt: T0 });
    const good = buildResult(
      { job, aggregator: agg.pk, payload: payload(0), binding: p.binding, encrypt: true },
      p.sk,
      { createdAt: T0 },
    );
    const stripped = finalizeEvent(
      { kind: good.kind, created_at: T0, content: good.content, tags: good.tags.filter((t) => t[0] !== "solana") },
      p.sk,
    );
    // Mallory copies p's binding tag to claim p's wallet (and its stake/rewards).
    const stolenTag = good.tags.find((t) => t[0] === "solana") as string[];
    const stolen = finalizeEvent(
      {
        kind: good.kind,
        created_at: T0,
        content: "x",
        tags: [...good.tags.filter((t) => t[0] !== "solana"), stolenTag],
      },
      mallory.sk,
    );
    // Mallory's Nostr key signs p's wallet, but the wallet never signed Mallory's key.
    const halfBinding = { ...(await createBinding(mallory.sk, p.solana)), solanaSig: p.binding.solanaSig };
    const half = buildResult(
      { job, aggregator: agg.pk, payload: payload(1), binding: halfBinding, encrypt: false },
      mallory.sk,
      { createdAt: T0 },
    );
    // A wallet signing a different Nostr key than the event's author.
    const otherWallet = solanaSignerFromSecretKey(new Uint8Array(32).fill(9));
    const crossed = { ...(await createBinding(mallory.sk, otherWallet)) };
    const crossedOk = buildResult(
      { job, aggregator: agg.pk, payload: payload(2), binding: crossed, encrypt: false },
      mallory.sk,
      { createdAt: T0 },
    );

    expect(reader.accept(stripped)).to.equal(null);
    expect(reader.accept(stolen)).to.equal(null);
    expect(reader.accept(half)).to.equal(null);
    expect(reader.accept(good)?.type).to.equal("result");
    expect(reader.accept(crossedOk)?.type).to.equal("result"); // Mallory's own wallet, properly bound: fine
    expect(reader.counters).to.include({ unboundIdentity: 1, badBinding: 2, accepted: 2 });
  });

  it("counts results it cannot decrypt and results for jobs it does not follow", async () => {
    const agg = await actor();
    const other = await actor();
    const p = await actor();
    const job = buildJobRequest(sampleJob(agg.pk), agg.sk, { createdAt: T0 });
    // Addressed to us (p = agg) but encrypted to someone else's key.
    const toOther = buildResult(
      { job, aggregator: other.pk, payload: payload(0), binding: p.binding, encrypt: true },
      p.sk,
      { createdAt: T0 },
    );
    const wrongKey = finalizeEvent(
      {
        kind: toOther.kind,
        created_at: T0,
        content: toOther.content,
        tags: toOther.tags.map((t) => (t[0] === "p" ? ["p", agg.pk] : t)),
      },
      p.sk,
    );
    const reader = new EventReader({ now: () => T0, decryptWith: agg.sk, jobIds: [job.id] });
    expect(reader.accept(wrongKey)).to.equal(null);
    const otherJob = buildJobRequest(sampleJob(agg.pk), agg.sk, { createdAt: T0 + 1 });
    expect(
      reader.accept(
        buildResult(
          { job: otherJob, aggregator: agg.pk, payload: payload(0), binding: p.binding, encrypt: true },
          p.sk,
          { createdAt: T0 },
        ),
      ),
    ).to.equal(null);
    reader.followJob(otherJob.id);
    expect(
      reader.accept(
        buildResult(
          { job: otherJob, aggregator: agg.pk, payload: payload(0), binding: p.binding, encrypt: true },
          p.sk,
          { createdAt: T0 + 1 },
        ),
      ),
    ).to.not.equal(null);
    expect(reader.counters).to.include({ undecryptable: 1, otherJob: 1, accepted: 1 });
  });

  it("accepts feedback only from the followed job's requester/aggregator, results only when addressed to us", async () => {
    const org = await actor();
    const agg = await actor();
    const p = await actor();
    const mallory = await actor();
    const job = buildJobRequest(sampleJob(agg.pk, { privacy: "public", seal: undefined }), org.sk, { createdAt: T0 });
    const pReader = new EventReader({ now: () => T0 });
    const seen = pReader.accept(job);
    if (seen?.type !== "job-request") throw new Error("job not accepted");
    pReader.followJob(seen);
    const fb = (sk: Uint8Array): ReturnType<typeof buildFeedback> =>
      buildFeedback({ jobId: job.id, recipients: [p.pk], status: "processing" }, sk, { createdAt: T0 });
    expect(pReader.accept(fb(agg.sk))).to.not.equal(null);
    expect(pReader.accept(fb(org.sk))).to.not.equal(null);
    expect(pReader.accept(fb(mallory.sk))).to.equal(null);
    expect(pReader.counters).to.include({ untrustedAuthor: 1, accepted: 3 });

    const aggReader = new EventReader({ now: () => T0, decryptWith: agg.sk });
    const toMallory = buildResult(
      { job, aggregator: mallory.pk, payload: payload(0), binding: p.binding, encrypt: false },
      p.sk,
      { createdAt: T0 },
    );
    expect(aggReader.accept(toMallory)).to.equal(null);
    expect(aggReader.counters).to.include({ misaddressed: 1 });
  });

  it("survives a throwing onReject hook and random junk", async () => {
    const reader = new EventReader({
      onReject: () => {
        throw new Error("logger bug");
      },
    });
    const cyclic: Record<string, unknown> = {};
    cyclic.self = cyclic;
    for (const junk of [undefined, cyclic, { kind: 5720 }, Symbol("x"), () => 1, BigInt(5)])
      expect(reader.accept(junk)).to.equal(null);
    expect(reader.counters.malformed).to.equal(6);
  });
});
