/**
 * Worker for tests/support/junk.ts: makes throw-away identities (a Nostr key bound to a fresh
 * Solana wallet: two signatures each) and signs junk kind-6720 events for one job. Runs in
 * worker_threads so the CPU cost is spread over the machine's cores.
 */
import { randomBytes } from "node:crypto";
import { parentPort, workerData } from "node:worker_threads";
import { schnorr } from "@noble/curves/secp256k1";
import { bytesToHex, hexToBytes } from "@noble/hashes/utils";
import { type Event, type EventTemplate, generateSecretKey, getEventHash, getPublicKey } from "nostr-tools/pure";
import { createBinding, solanaSignerFromSecretKey } from "../../sdk/src/nostr/binding.js";
import type { JunkIdentity, JunkTask } from "./junk.js";

const CID = "bafkreigh2akiscaildcqabsyg3dfr6chu3fgpregiymsck7e7aqa4s52zy";

/** finalizeEvent with the public key already known (finalizeEvent derives it again for every event: a third of the cost). */
function sign(t: EventTemplate, sk: Uint8Array, pubkey: string): Event {
  const unsigned = { ...t, pubkey };
  const id = getEventHash(unsigned);
  return { ...unsigned, id, sig: bytesToHex(schnorr.sign(id, sk)) };
}

async function run(task: JunkTask): Promise<unknown> {
  if (task.type === "identities") {
    const out: JunkIdentity[] = [];
    for (let i = 0; i < task.count; i++) {
      const sk = generateSecretKey();
      const b = await createBinding(sk, solanaSignerFromSecretKey(randomBytes(32)));
      out.push({
        sk: bytesToHex(sk),
        pubkey: b.nostrPubkey,
        wallet: b.solanaPubkey,
        nostrSig: b.nostrSig,
        solanaSig: b.solanaSig,
      });
    }
    return out;
  }
  const base = [
    ["e", task.jobId, ""],
    ["p", task.aggregator],
    ["round", String(task.round)],
  ];
  const createdAt = Math.floor(Date.now() / 1000);
  // Bound junk: exactly what a participant's plaintext result looks like (the pre-filter aggregator accepted these).
  const bound = task.identities.map((id) =>
    sign(
      {
        kind: 6720,
        created_at: createdAt,
        tags: [...base, ["solana", id.wallet, id.nostrSig, id.solanaSig]],
        content: JSON.stringify({
          update: CID,
          sha256: randomBytes(32).toString("hex"),
          samples: 100,
          round: task.round,
          metrics: { loss: 1 },
        }),
      },
      hexToBytes(id.sk),
      id.pubkey,
    ),
  );
  // Malformed: validly signed (relays store them), but unbound, or bound with forged signatures, and
  // content that is not a result.
  const sk = generateSecretKey();
  const pubkey = getPublicKey(sk);
  const malformed = Array.from({ length: task.malformed }, (_, i) =>
    sign(
      {
        kind: 6720,
        created_at: createdAt,
        tags:
          i % 2 === 0
            ? base
            : [
                ...base,
                [
                  "solana",
                  task.identities[i % Math.max(1, task.identities.length)]?.wallet ?? "x",
                  "00".repeat(64),
                  "00".repeat(64),
                ],
              ],
        content: `not a result ${i} {`,
      },
      sk,
      pubkey,
    ),
  );
  return [...bound, ...malformed];
}

run(workerData as JunkTask).then(
  (r) => parentPort!.postMessage(r),
  (e: Error) => {
    throw e;
  },
);
