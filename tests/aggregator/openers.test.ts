/**
 * The aggregator's worker-thread opener against the SDK's own: real HPKE-sealed updates (the
 * participant's sealUpdate), opened on worker threads, give the same plaintext and the same
 * SealError codes as roundOpener on the main thread.
 */
import { generateSecretKey } from "@fedstr/sdk/nostr";
import { createSealKeySet, roundOpener, roundSecretKey, SealError, sealUpdate } from "@fedstr/sdk/privacy";
import { Keypair } from "@solana/web3.js";
import { expect } from "chai";
import { workerOpener } from "../../aggregator/src/openers.js";

describe("aggregator: sealed updates opened on worker threads", () => {
  it("opens as roundOpener does, in parallel, and refuses a wrong key or a tampered update with the same codes", async () => {
    const aggregatorSk = generateSecretKey();
    const seal = await createSealKeySet(aggregatorSk, 2);
    const pool = Keypair.generate().publicKey.toBase58();
    const people = Array.from({ length: 6 }, () => Keypair.generate().publicKey.toBase58());
    const plain = people.map((_, i) => Uint8Array.from({ length: 50_000 + i }, (_, k) => (k * 7 + i) & 0xff));
    const sealed = await Promise.all(
      people.map((participant, i) => sealUpdate(plain[i]!, { pool, seal }, { round: 1, participant })),
    );
    const secret = await roundSecretKey(aggregatorSk, seal.id, 1);
    const onMain = await roundOpener(secret);
    const workers = workerOpener(secret, 2);
    try {
      const opened = await Promise.all(
        people.map((participant, i) => workers.open(sealed[i]!.slice(), { pool, round: 1, participant })),
      );
      expect(opened).to.deep.equal(plain);
      expect(await onMain(sealed[0]!, { pool, round: 1, participant: people[0]! })).to.deep.equal(plain[0]);

      const codeOf = async (p: Promise<unknown>) => {
        try {
          await p;
          return "opened";
        } catch (e) {
          expect(e).to.be.instanceOf(SealError);
          return `${(e as SealError).code}: ${(e as Error).message}`;
        }
      };
      // Round 2's update under round 1's key; p0's update claimed for p1; one byte of ciphertext flipped.
      const round2 = await sealUpdate(plain[0]!, { pool, seal }, { round: 2, participant: people[0]! });
      const tampered = sealed[2]!.slice();
      tampered[tampered.length - 1]! ^= 1;
      const cases = [
        [round2, { pool, round: 1, participant: people[0]! }],
        [sealed[0]!, { pool, round: 1, participant: people[1]! }],
        [tampered, { pool, round: 1, participant: people[2]! }],
      ] as const;
      for (const [bytes, ctx] of cases) {
        const [viaWorker, viaMain] = [
          await codeOf(workers.open(bytes.slice(), ctx)),
          await codeOf(onMain(bytes.slice(), ctx)),
        ];
        expect(viaWorker).to.equal(viaMain);
        expect(viaWorker).to.match(/^(WRONG_KEY|UNDECRYPTABLE): /);
      }
    } finally {
      await workers.close();
    }
  });
});
