/**
 * Candidate collection with real signed Nostr events: results built by the SDK (NIP-44 encrypted
 * to the aggregator, with identity bindings), accepted by the EventReader the service uses, kept
 * in the checkpoint, and joined with commitments by bound wallet.
 */

import { appendFileSync, existsSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import {
  buildJobRequest,
  buildResult,
  createBinding,
  type Event,
  EventReader,
  generateSecretKey,
  getPublicKey,
  type ResultPayload,
  solanaSignerFromSecretKey,
} from "@fedstr/sdk/nostr";
import { Keypair } from "@solana/web3.js";
import { expect } from "chai";
import {
  addResult,
  checkpointPath,
  emptyCheckpoint,
  keepResult,
  loadCheckpoint,
  markCollected,
  resultsJournalPath,
  type StoredResult,
  saveCheckpoint,
} from "../../aggregator/src/checkpoint.js";
import { buildCandidates, everyoneIn, storedResult } from "../../aggregator/src/collect.js";
import { ParticipantSet } from "../../aggregator/src/participants.js";

const CID_A = "bafkreigh2akiscaildcqabsyg3dfr6chu3fgpregiymsck7e7aqa4s52zy";
const CID_B = "bafybeiapkjtw3tgd65bngbp7nqypug67syhxxqgwsxiuh7lk5cxrxkwgpu";
const SHA_A = "a".repeat(64),
  SHA_B = "b".repeat(64);

describe("aggregator: candidate collection", () => {
  const aggregatorSk = generateSecretKey();
  const aggregatorPk = getPublicKey(aggregatorSk);
  const organizationSk = generateSecretKey();
  const pool = Keypair.generate().publicKey.toBase58();
  const job = buildJobRequest(
    {
      programId: Keypair.generate().publicKey.toBase58(),
      cluster: "localnet",
      pool,
      planCid: CID_A,
      initialModelCid: CID_B,
      rounds: 3,
      reward: { amount: "1000000" },
      stake: { amount: "1000" },
      deadlines: { join: 1_900_000_000, end: 1_900_003_000, roundSeconds: 1000 },
      relays: ["ws://127.0.0.1:7447"],
      aggregator: aggregatorPk,
      privacy: "public",
    },
    organizationSk,
  );

  interface Participant {
    sk: Uint8Array;
    wallet: Keypair;
    result(payload: Partial<ResultPayload> & { round: number }): Promise<Event>;
  }
  const participant = (): Participant => {
    const sk = generateSecretKey();
    const wallet = Keypair.generate();
    const binding = createBinding(sk, solanaSignerFromSecretKey(wallet.secretKey));
    return {
      sk,
      wallet,
      async result(p) {
        return buildResult(
          {
            job,
            aggregator: aggregatorPk,
            binding: await binding,
            encrypt: true,
            payload: { update: CID_A, sha256: SHA_A, samples: 100, metrics: { loss: 0.5 }, ...p },
          },
          sk,
        );
      },
    };
  };
  const reader = () => new EventReader({ decryptWith: aggregatorSk, jobIds: [job.id], maxAgeSec: 365 * 86400 });
  /** A reader that takes results only from the participants joined on chain: here `member`, its Nostr key `nostrKey`. */
  const participantsReader = (member: Participant, nostrKey: string) => {
    const set = new ParticipantSet();
    set.update([
      {
        account: { authority: member.wallet.publicKey, nostrPubkey: Array.from(Buffer.from(nostrKey, "hex")) },
      } as never,
    ]);
    const rd = new EventReader({
      decryptWith: aggregatorSk,
      jobIds: [job.id],
      maxAgeSec: 365 * 86400,
      resultsFrom: (w, k) => set.allows(w, k),
    });
    return { set, rd };
  };
  const accept = (r: EventReader, e: Event): StoredResult => {
    const a = r.accept(e);
    expect(a?.type, JSON.stringify(r.counters)).to.equal("result");
    return storedResult(a as Extract<typeof a, { type: "result" }>)!;
  };

  it("decrypts a participant's result and keys it by the bound wallet, not the Nostr key", async () => {
    const p = participant();
    const r = accept(reader(), await p.result({ round: 1, samples: 321 }));
    expect(r).to.include({
      participant: p.wallet.publicKey.toBase58(),
      nostrPubkey: getPublicKey(p.sk),
      round: 1,
      cid: CID_A,
      sha256: SHA_A,
      samples: 321,
    });
    expect(r.metrics).to.deep.equal({ loss: 0.5 });
  });

  it("joins commitments and results: matching → candidate, commitment alone → candidate from the chain, other update → NOT_COMMITTED, result alone → NOT_COMMITTED, a stranger's → no candidate", async () => {
    const [honest, silent, liar, early, stranger] = [
      participant(),
      participant(),
      participant(),
      participant(),
      participant(),
    ];
    const rd = reader();
    const results = [
      accept(rd, await honest.result({ round: 2 })),
      accept(rd, await liar.result({ round: 2, update: CID_B, sha256: SHA_B })),
      accept(rd, await early.result({ round: 2 })),
      accept(rd, await stranger.result({ round: 2 })),
    ];
    const w = (p: Participant) => p.wallet.publicKey.toBase58();
    const commitments = [honest, silent, liar].map((p) => ({
      participant: w(p),
      cid: CID_A,
      sha256: SHA_A,
      samples: 100,
    }));
    const joined = new Set([honest, silent, liar, early].map(w));
    const silentKey = "ab".repeat(32);
    const cands = buildCandidates(commitments, results, joined, new Map([[w(silent), silentKey]]));

    expect(
      cands.map((c) => c.participant),
      "wallet order",
    ).to.deep.equal([...cands.map((c) => c.participant)].sort());
    const by = (p: Participant) => cands.find((c) => c.participant === w(p))!;
    expect(by(honest).reason).to.equal(undefined);
    expect(by(honest)).to.include({ nostrPubkey: getPublicKey(honest.sk), samples: 100, cid: CID_A, sha256: SHA_A });
    // No result: the commitment alone makes it a candidate (the committed CID, sha256 and count),
    // answered at its on-chain Nostr key.
    expect(by(silent)).to.include({ fromChain: true, samples: 100, cid: CID_A, sha256: SHA_A, nostrPubkey: silentKey });
    expect(by(silent).reason).to.equal(undefined);
    expect(by(liar)).to.include({ reason: "NOT_COMMITTED", cid: CID_A, sha256: SHA_A }); // the committed update is what the report names
    expect(by(liar).detail).to.contain(CID_B);
    expect(by(early)).to.include({ reason: "NOT_COMMITTED" });
    expect(
      cands.find((c) => c.participant === w(stranger)),
      "a stranger is neither reported nor answered",
    ).to.equal(undefined);
    expect(cands).to.have.length(4);

    expect(everyoneIn([w(honest)], cands)).to.equal(true);
    expect(
      everyoneIn([w(honest), w(silent)], cands),
      "before the deadline, a committed participant's result is still awaited",
    ).to.equal(false);
    expect(everyoneIn([], cands)).to.equal(true);
  });

  it("the on-chain sample count is the one aggregated: a result reporting another is SAMPLES_MISMATCH", async () => {
    const [honest, inflater] = [participant(), participant()];
    const rd = reader();
    const results = [
      accept(rd, await honest.result({ round: 1, samples: 250 })),
      accept(rd, await inflater.result({ round: 1, samples: 9_999 })),
    ];
    const w = (p: Participant) => p.wallet.publicKey.toBase58();
    const cands = buildCandidates(
      [honest, inflater].map((p) => ({ participant: w(p), cid: CID_A, sha256: SHA_A, samples: 250 })),
      results,
      new Set([honest, inflater].map(w)),
    );
    const by = (p: Participant) => cands.find((c) => c.participant === w(p))!;
    expect(by(honest)).to.include({ samples: 250 });
    expect(by(honest).reason).to.equal(undefined);
    expect(by(inflater)).to.include({ reason: "SAMPLES_MISMATCH", samples: 250 });
    expect(by(inflater).detail).to.contain("9999");
  });

  it("a wallet with two bound Nostr keys: the result matching the commitment is the candidate", async () => {
    const wallet = Keypair.generate();
    const mk = async (sk: Uint8Array, cid: string, sha: string, createdAt: number) =>
      buildResult(
        {
          job,
          aggregator: aggregatorPk,
          binding: await createBinding(sk, solanaSignerFromSecretKey(wallet.secretKey)),
          encrypt: true,
          payload: { update: cid, sha256: sha, samples: 10, round: 1, metrics: {} },
        },
        sk,
        { createdAt },
      );
    const now = Math.floor(Date.now() / 1000);
    const rd = reader();
    const wrong = accept(rd, await mk(generateSecretKey(), CID_B, SHA_B, now - 10));
    const right = accept(rd, await mk(generateSecretKey(), CID_A, SHA_A, now));
    const cands = buildCandidates(
      [{ participant: wallet.publicKey.toBase58(), cid: CID_A, sha256: SHA_A, samples: 10 }],
      [wrong, right],
      new Set([wallet.publicKey.toBase58()]),
    );
    expect(cands).to.have.length(1);
    expect(cands[0]!.reason).to.equal(undefined);
    expect(cands[0]!.nostrPubkey).to.equal(right.nostrPubkey);
  });

  it("keeps results in the checkpoint across a restart, once per event, and drops them when their round is collected", async () => {
    const dir = mkdtempSync(join(tmpdir(), "fedstr-agg-collect-"));
    try {
      const p = participant();
      const e1 = await p.result({ round: 1 }),
        e2 = await p.result({ round: 2 });
      const rd = reader();
      const r1 = accept(rd, e1),
        r2 = accept(rd, e2);
      const ids = { programId: "prog", aggregator: "agg" };
      const cp = emptyCheckpoint(pool, ids.programId, ids.aggregator);
      saveCheckpoint(dir, cp);
      const stateBytes = readFileSync(checkpointPath(dir, pool));
      expect(keepResult(dir, cp, r1)).to.equal(true);
      expect(keepResult(dir, cp, r2)).to.equal(true);
      expect(keepResult(dir, cp, r1), "the same event again (another relay, a resubscription)").to.equal(false);
      expect(
        readFileSync(checkpointPath(dir, pool)),
        "a kept result is appended to its journal, state.json is not rewritten",
      ).to.deep.equal(stateBytes);
      expect(
        readFileSync(resultsJournalPath(dir, pool, 1), "utf8")
          .trim()
          .split("\n"),
      ).to.have.length(1);
      // A process killed mid-append leaves a torn line: cut off on load, the next append starts on a fresh line.
      appendFileSync(resultsJournalPath(dir, pool, 2), '{"participant":"torn');

      // A restarted process reads them back; the relay replays the same event to its fresh reader: no second entry.
      const again = loadCheckpoint(dir, pool, ids)!;
      expect(again.results["1"]!.map((r) => r.eventId)).to.deep.equal([e1.id]);
      expect(again.results["2"]!.map((r) => r.eventId)).to.deep.equal([e2.id]);
      expect(keepResult(dir, again, accept(reader(), e1))).to.equal(false);
      expect(keepResult(dir, again, { ...r2, eventId: "e".repeat(64) })).to.equal(true);
      expect(loadCheckpoint(dir, pool, ids)!.results["2"]!.map((r) => r.eventId)).to.deep.equal([
        e2.id,
        "e".repeat(64),
      ]);

      markCollected(
        again,
        1,
        buildCandidates(
          [{ participant: r1.participant, cid: CID_A, sha256: SHA_A, samples: r1.samples }],
          again.results["1"]!,
          new Set([r1.participant]),
        ),
      );
      expect(again.results["1"]).to.equal(undefined);
      expect(again.results["2"]).to.have.length(2);
      saveCheckpoint(dir, again);
      expect(existsSync(resultsJournalPath(dir, pool, 1)), "a collected round's journal is deleted").to.equal(false);
      expect(loadCheckpoint(dir, pool, ids)!.results["1"]).to.equal(undefined);
      expect(addResult(again, { ...r1, eventId: "f".repeat(64) }), "a late result for a collected round").to.equal(
        false,
      );
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it("caps results per wallet and round (a wallet cannot flood the checkpoint through many Nostr keys)", () => {
    const cp = emptyCheckpoint(pool, "prog", "agg");
    const base: StoredResult = {
      participant: "W",
      nostrPubkey: "n",
      eventId: "",
      createdAt: 1,
      round: 1,
      cid: CID_A,
      sha256: SHA_A,
      samples: 1,
      metrics: {},
    };
    const added = Array.from({ length: 10 }, (_, i) =>
      addResult(cp, { ...base, eventId: i.toString(16).padStart(64, "0") }),
    );
    expect(added.filter(Boolean)).to.have.length(4);
  });

  it("a stranger's result is dropped before any signature is checked, counted as notParticipant; a participant's passes", async () => {
    const [member, stranger] = [participant(), participant()];
    const { set, rd } = participantsReader(member, getPublicKey(member.sk));
    const junk = await stranger.result({ round: 1 });
    // A forged signature too: the stranger is dropped for who it is, before the signature would have been checked.
    expect(rd.accept({ ...junk, sig: "0".repeat(128) })).to.equal(null);
    expect(rd.accept(junk)).to.equal(null);
    const unbound = { ...junk, tags: junk.tags.filter((t) => t[0] !== "solana") };
    expect(rd.accept(unbound)).to.equal(null);
    expect(rd.counters).to.include({ notParticipant: 2, unboundIdentity: 1, badSignature: 0, accepted: 0 });
    expect(accept(rd, await member.result({ round: 1 })).participant).to.equal(member.wallet.publicKey.toBase58());
    expect(set.authors(), "the relays filter by the participants' on-chain Nostr keys").to.deep.equal([
      getPublicKey(member.sk),
    ]);
  });

  it("a participant's wallet bound to another Nostr key than the one join_pool recorded is dropped", async () => {
    const member = participant();
    const { rd } = participantsReader(member, getPublicKey(generateSecretKey()));
    expect(rd.accept(await member.result({ round: 1 }))).to.equal(null);
    expect(rd.counters).to.include({ notParticipant: 1, accepted: 0 });
  });
});
