import { expect } from "chai";
import { type Event, finalizeEvent } from "nostr-tools/pure";
import {
  buildFeedback,
  buildJobRequest,
  buildResult,
  checkBinding,
  createBinding,
  feedbackForMany,
  KIND_FL_JOB_REQUEST,
  KIND_FL_JOB_RESULT,
  KIND_JOB_FEEDBACK,
  MAX_FEEDBACK_RECIPIENTS,
  ProtocolError,
  parseFeedback,
  parseJobRequest,
  parseResult,
  type ResultPayload,
  solanaSignerFromSecretKey,
  verifyBinding,
} from "../../sdk/src/nostr/index.js";
import { actor, sampleJob, solanaAddress, T0 } from "./fixtures.js";

const payload: ResultPayload = {
  update: "bafkreigh2akiscaildcqabsyg3dfr6chu3fgpregiymsck7e7aqa4s52zy",
  sha256: "a948904f2f0f479b8f8197694b30184b0d2ed1c1cd2a1ec0fb85d299a192a447",
  samples: 600,
  round: 1,
  metrics: { loss: 0.42, accuracy: 0.88 },
};

describe("nostr/protocol: kinds, event shapes, identity binding", () => {
  it("uses kind 5720 for the job, 6720 for results, 7000 for feedback", () => {
    expect([KIND_FL_JOB_REQUEST, KIND_FL_JOB_RESULT, KIND_JOB_FEEDBACK]).to.deep.equal([5720, 6720, 7000]);
  });

  it("round-trips a job request through NIP-90 tags", async () => {
    const org = await actor();
    const agg = await actor();
    const job = sampleJob(agg.pk, {
      reward: { amount: "18446744073709551615", mint: solanaAddress() },
      description: "MNIST digits",
    });
    const ev = buildJobRequest(job, org.sk, { createdAt: T0 });
    expect(ev.kind).to.equal(5720);
    expect(ev.tags).to.deep.include(["i", `ipfs://${job.planCid}`, "url", "", "plan"]);
    expect(ev.tags).to.deep.include(["p", agg.pk]);
    expect(parseJobRequest(ev)).to.deep.equal(job);
  });

  it("refuses to build or parse malformed job requests", async () => {
    const agg = await actor();
    expect(() => buildJobRequest(sampleJob(agg.pk, { pool: "not-base58-0OIl" }), agg.sk)).to.throw(
      ProtocolError,
      /pool/,
    );
    expect(() =>
      buildJobRequest(sampleJob(agg.pk, { planCid: "QmYwAPJzv5CZsnA625s3Xf2nemtYgPpHdWEz79ojWnPbdG" }), agg.sk),
    ).to.throw(ProtocolError, /plan/);
    expect(() => buildJobRequest(sampleJob(agg.pk, { reward: { amount: "18446744073709551616" } }), agg.sk)).to.throw(
      ProtocolError,
      /u64/,
    );
    expect(() => buildJobRequest(sampleJob(agg.pk, { relays: ["https://not-a-relay"] }), agg.sk)).to.throw(
      ProtocolError,
      /relays/,
    );
    const ev = buildJobRequest(sampleJob(agg.pk), agg.sk);
    const noPool = finalizeEvent({ ...ev, tags: ev.tags.filter((t) => t[1] !== "pool") }, agg.sk);
    expect(() => parseJobRequest(noPool)).to.throw(ProtocolError, /missing param pool/);
  });

  it("encrypts results to the aggregator with NIP-44; only the aggregator can read them", async () => {
    const agg = await actor();
    const p = await actor();
    const other = await actor();
    const job = buildJobRequest(sampleJob(agg.pk), agg.sk, { createdAt: T0 });
    const ev = buildResult({ job, aggregator: agg.pk, payload, binding: p.binding, encrypt: true }, p.sk, {
      createdAt: T0 + 5,
    });
    expect(ev.kind).to.equal(6720);
    expect(ev.content).to.not.contain(payload.update);
    expect(ev.tags).to.deep.include(["encrypted"]);
    expect(ev.tags).to.deep.include(["e", job.id, ""]);
    expect(ev.tags).to.deep.include(["p", agg.pk]);
    const seenByAgg = parseResult(ev, { decryptWith: agg.sk });
    expect(seenByAgg.payload).to.deep.equal(payload);
    expect(seenByAgg.binding?.solanaPubkey).to.equal(p.solana.publicKey);
    expect(parseResult(ev).payload).to.equal(undefined); // observers see that a result exists, not its content
    expect(() => parseResult(ev, { decryptWith: other.sk }))
      .to.throw(ProtocolError)
      .with.property("reason", "undecryptable");

    const plain = buildResult({ job, aggregator: agg.pk, payload, binding: p.binding, encrypt: false }, p.sk);
    expect(JSON.parse(plain.content)).to.deep.equal(payload);
    expect(parseResult(plain).payload).to.deep.equal(payload);
  });

  it("builds and parses every feedback status", async () => {
    const agg = await actor();
    const p = await actor();
    const jobId = "f".repeat(64);
    const cases = [
      {
        jobId,
        recipients: [p.pk],
        status: "stake-required" as const,
        stake: { amount: "50000000" },
        info: "deposit the stake to join",
      },
      { jobId, recipients: [p.pk], status: "processing" as const },
      {
        jobId,
        recipients: [p.pk],
        status: "partial" as const,
        round: 2,
        model: { cid: payload.update, sha256: payload.sha256 },
        metrics: { accuracy: 0.91 },
      },
      {
        jobId,
        recipients: [p.pk],
        status: "success" as const,
        round: 3,
        model: { cid: payload.update, sha256: payload.sha256 },
      },
      { jobId, recipients: [p.pk], status: "error" as const, info: "update rejected: norm too large" },
    ];
    for (const fb of cases) {
      const ev = buildFeedback(fb, agg.sk, { createdAt: T0 });
      expect(ev.kind).to.equal(7000);
      expect(ev.tags[0]?.[0]).to.equal("status");
      expect(parseFeedback(ev)).to.deep.equal(fb);
    }
    expect(() => buildFeedback({ jobId, recipients: [p.pk], status: "error" }, agg.sk)).to.throw(
      ProtocolError,
      /reason/,
    );
    expect(() => buildFeedback({ jobId, recipients: [p.pk], status: "partial", round: 1 }, agg.sk)).to.throw(
      ProtocolError,
      /model/,
    );
  });

  it("one feedback event names many recipients: split per MAX_FEEDBACK_RECIPIENTS, refused beyond it or with a key twice", async () => {
    const agg = await actor();
    const jobId = "f".repeat(64);
    const keys = await Promise.all(
      Array.from({ length: MAX_FEEDBACK_RECIPIENTS * 2 + 1 }, async () => (await actor()).pk),
    );
    const verdict = {
      jobId,
      status: "partial" as const,
      round: 1,
      model: { cid: payload.update, sha256: payload.sha256 },
    };
    const events = feedbackForMany(verdict, [...keys, keys[0]!], agg.sk, { createdAt: T0 });
    expect(events.map((e) => parseFeedback(e).recipients.length)).to.deep.equal([
      MAX_FEEDBACK_RECIPIENTS,
      MAX_FEEDBACK_RECIPIENTS,
      1,
    ]);
    // Every key once, in order; every event carries the same verdict.
    expect(events.flatMap((e) => parseFeedback(e).recipients)).to.deep.equal(keys);
    for (const e of events)
      expect(parseFeedback(e)).to.deep.include({ status: "partial", round: 1, model: verdict.model });
    expect(JSON.stringify(events[0]).length, "fits the reader's 64 KiB").to.be.below(64 * 1024);
    expect(feedbackForMany(verdict, [], agg.sk)).to.deep.equal([]);

    expect(() =>
      buildFeedback({ ...verdict, recipients: keys.slice(0, MAX_FEEDBACK_RECIPIENTS + 1) }, agg.sk),
    ).to.throw(
      ProtocolError,
      new RegExp(`${MAX_FEEDBACK_RECIPIENTS + 1} recipients .*at most ${MAX_FEEDBACK_RECIPIENTS}`),
    );
    expect(() => buildFeedback({ ...verdict, recipients: [keys[0]!, keys[0]!] }, agg.sk)).to.throw(
      ProtocolError,
      /recipient twice/,
    );
    expect(() => buildFeedback({ ...verdict, recipients: [] }, agg.sk)).to.throw(ProtocolError, /needs a p tag/);
    expect(() => buildFeedback({ ...verdict, recipients: [keys[0]!, "npub1nothex"] }, agg.sk)).to.throw(
      ProtocolError,
      /every p tag/,
    );
  });

  it("binds a Nostr key and a Solana wallet, each signing the other; mismatches fail", async () => {
    const a = await actor();
    const b = await actor();
    expect(checkBinding(a.binding)).to.equal(undefined);
    // a's Nostr key claiming b's wallet: a's Nostr signature covers a's own wallet address, not b's.
    expect(verifyBinding({ ...a.binding, solanaPubkey: b.solana.publicKey })).to.equal(false);
    // A's binding replayed by b's Nostr key: the Solana signature is over a's Nostr key.
    expect(checkBinding({ ...a.binding, nostrPubkey: b.pk })).to.match(/nostr signature|solana signature/);
    // Wallet signature swapped in from another binding.
    expect(checkBinding({ ...a.binding, solanaSig: b.binding.solanaSig })).to.match(/solana signature/);
    expect(checkBinding({ ...a.binding, nostrSig: b.binding.nostrSig })).to.match(/nostr signature/);
    expect(checkBinding({ ...a.binding, solanaPubkey: "0OIl" })).to.match(/base58/);
    // Works with a Solana Keypair's 64-byte secret key (seed ‖ public key).
    const seed = new Uint8Array(32).fill(7);
    const s32 = solanaSignerFromSecretKey(seed);
    const { base58 } = await import("@scure/base");
    const kp64 = new Uint8Array(64);
    kp64.set(seed);
    kp64.set(base58.decode(s32.publicKey), 32);
    expect(solanaSignerFromSecretKey(kp64).publicKey).to.equal(s32.publicKey);
    expect(verifyBinding(await createBinding(a.sk, solanaSignerFromSecretKey(kp64)))).to.equal(true);
  });

  it("rejects results whose binding belongs to another key at build time", async () => {
    const agg = await actor();
    const p = await actor();
    const q = await actor();
    const job: Event = buildJobRequest(sampleJob(agg.pk), agg.sk);
    expect(() => buildResult({ job, aggregator: agg.pk, payload, binding: q.binding, encrypt: false }, p.sk)).to.throw(
      /another Nostr key/,
    );
  });
});
