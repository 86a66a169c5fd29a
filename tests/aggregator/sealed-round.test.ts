/**
 * A sealed pool's round on the real localnet (real program, relay and IPFS node) with the real
 * `fedstr-aggregator run` process and the real `fedstr verify` CLI. Five SDK-driven participants:
 * two honest (update sealed to the round key), one sealed to another key, one whose committed
 * ciphertext was tampered with before committing (its hash matches, it does not open) and one whose
 * upload differs from the sha256 it committed (tampered after commit). Asserts: IPFS holds only
 * ciphertext for every committed CID; the aggregator opens, aggregates and pays the two honest
 * ones; each bad one is rejected with its reason (only the hash mismatch, provable from public
 * data, is slashed); the round verifies with the keys `fedstr-aggregator disclose` gives, and not
 * without them or with wrong ones.
 */

import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { Session } from "@fedstr/sdk/cli";
import * as fl from "@fedstr/sdk/fl";
import { decodeRoundReport } from "@fedstr/sdk/job";
import { createSealKeySet, keyToHex, sealTo, sealUpdate } from "@fedstr/sdk/privacy";
import { fetchParticipant, findParticipantAddress } from "@fedstr/sdk/program";
import { sha256Hex } from "@fedstr/sdk/storage";
import { expect } from "chai";
import { generateSecretKey } from "nostr-tools/pure";
import { CommandFailed, runJson } from "../../scripts/lib/actors.js";
import { commitIx, nudgedUpdate, type PoolWorld, resultEvent, startPoolWorld, TOKEN } from "../support/pool-world.js";

const PARTICIPANTS = ["honest1", "honest2", "wrongkey", "tampered", "mismatch"] as const;

interface Verification {
  rounds: { round: number; ok: boolean; detail: string; recomputedHash: string | null }[];
}

describe("aggregator: a sealed round (updates encrypted to the aggregator's round key)", function () {
  this.timeout(900_000);
  let world: PoolWorld;
  let dir: string;

  before(async () => {
    world = await startPoolWorld("sealed", ["organization", "aggregator", ...PARTICIPANTS]);
    dir = mkdtempSync(join(tmpdir(), "fedstr-sealed-keys-"));
  });
  after(async () => {
    await world?.close();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it("keeps every update ciphertext on IPFS, pays the honest, rejects the bad with their reasons, and verifies only with the disclosed keys", async () => {
    const { net, config, env } = world;
    const org = world.session("organization");
    const store = await org.store();
    const aggWallet = ["--wallet", net.wallets.aggregator!.path];

    // The aggregator makes the round keys, the organization puts them into the job request.
    const seal = await runJson<{ id: string; keys: string[] }>(
      "fedstr-aggregator",
      ["seal-keys", "--rounds", "1", ...aggWallet],
      { env },
    );
    expect(seal.keys).to.have.length(1);

    const { pool, address, modelCid, jobEvent, aggregatorNostr } = await world.createDigitsPool({
      rounds: 1,
      joinSeconds: 300,
      roundSeconds: 3600,
      graceSeconds: 600,
      claimSeconds: 3600,
      maxParticipants: 8,
      privacy: "sealed",
      seal,
    });
    const job = { pool: address, seal };
    await world.join(pool, PARTICIPANTS);
    const ps = Object.fromEntries(PARTICIPANTS.map((n) => [n, world.session(n)])) as Record<
      (typeof PARTICIPANTS)[number],
      Session
    >;

    const aggregator = world.startAggregator(pool);
    try {
      await aggregator.waitFor((l) => (l.event === "round-waiting" || l.event === "round-collecting") && l.round === 1);
      await world.openRound(pool, 1);

      // Each participant's update (plaintext) and what it commits and uploads.
      const global = fl.decode(await store.get(modelCid), { copy: true });
      const plaintexts: Record<string, Uint8Array> = {};
      const committed: Record<string, { cid: string; sha: string }> = {};
      for (const [k, n] of PARTICIPANTS.entries()) {
        const s = ps[n];
        const plain = nudgedUpdate(global, k);
        plaintexts[n] = plain;
        const ctx = { round: 1, participant: s.wallet.publicKey.toBase58() };
        let sealed = await sealUpdate(plain, job, ctx);
        if (n === "wrongkey")
          sealed = await sealTo((await createSealKeySet(generateSecretKey(), 1)).keys[0]!, plain, {
            ...ctx,
            pool: address,
          });
        if (n === "tampered") {
          sealed = Uint8Array.from(sealed);
          sealed[sealed.length - 100]! ^= 0xff;
        }
        let sha = sha256Hex(sealed);
        if (n === "mismatch") {
          sha = sha256Hex(sealed);
          sealed = Uint8Array.from(sealed);
          sealed[sealed.length - 100]! ^= 0xff;
        }
        const cid = (await store.put(sealed)).toString();
        committed[n] = { cid, sha };
        const update = { cid, sha, samples: 100 + k };
        await s.send("commit", [await commitIx(s, pool, 1, update)]);
        const result = await resultEvent(s, jobEvent, aggregatorNostr, 1, update);
        expect((await (await s.relays()).publish(result)).some((x) => x.ok)).to.equal(true);
      }

      // IPFS holds ciphertext only: no committed CID decodes as a model or shares a 32-byte run with its plaintext.
      for (const n of PARTICIPANTS) {
        const onIpfs = Buffer.from(await store.get(committed[n]!.cid));
        expect(() => fl.decode(onIpfs), `${n}'s upload decodes as a model`).to.throw(fl.CodecError);
        const plain = plaintexts[n]!;
        for (let i = 0; i + 32 <= plain.length; i += 32)
          expect(onIpfs.indexOf(plain.subarray(i, i + 32)), `${n}'s upload contains plaintext at ${i}`).to.equal(-1);
      }

      expect(await aggregator.exited, JSON.stringify(aggregator.lines.slice(-3))).to.equal(0);
      const posted = aggregator.lines.find((l) => l.event === "round-posted" && l.round === 1);
      expect(posted, "round 1 posted").to.not.equal(undefined);
    } finally {
      aggregator.kill("SIGKILL");
    }

    // The report: the honest two accepted and paid, each bad one rejected with its reason.
    const reportRef = (
      await runJson<{
        onChain: { rounds: { round: number }[] };
        checkpoint: { rounds: { report: { cid: string } }[] };
      }>("fedstr-aggregator", ["status", "--pool", address, ...aggWallet], { env })
    ).checkpoint.rounds[0]!.report;
    const report = decodeRoundReport(await store.get(reportRef.cid));
    const byName = Object.fromEntries(
      PARTICIPANTS.map((n) => [n, report.updates.find((u) => u.participant === ps[n].wallet.publicKey.toBase58())!]),
    );
    expect(byName.honest1!.accepted).to.equal(true);
    expect(
      report.updates.some((u) => u.metrics !== undefined),
      "training metrics stay out of a sealed round's report",
    ).to.equal(false);
    expect(byName.honest2!.accepted).to.equal(true);
    expect(BigInt(byName.honest1!.reward) + BigInt(byName.honest2!.reward)).to.equal(100n * TOKEN);
    expect(BigInt(byName.honest1!.reward) > 0n, "honest1 is paid").to.equal(true);
    expect(byName.wrongkey!).to.include({ accepted: false, reason: "SEALED_TO_WRONG_KEY", reward: "0" });
    expect(byName.tampered!).to.include({ accepted: false, reason: "UNDECRYPTABLE", reward: "0" });
    expect(byName.mismatch!).to.include({ accepted: false, reason: "HASH_MISMATCH", reward: "0" });
    // Only the hash mismatch (provable from the chain and IPFS) is slashed.
    expect(report.slashes.map((s) => s.participant)).to.deep.equal([ps.mismatch.wallet.publicKey.toBase58()]);
    for (const n of ["honest1", "honest2", "wrongkey", "tampered"] as const) {
      const state = (await fetchParticipant(
        org.program,
        findParticipantAddress(pool, ps[n].wallet.publicKey, config.programId)[0],
      ))!;
      expect(state.slashed.toString(), `${n} slashed`).to.equal("0");
    }

    // Verification: without keys it cannot recompute; with the disclosed keys it does; wrong keys fail.
    const verify = async (args: string[]): Promise<Verification> => {
      try {
        return await runJson<Verification>(
          "fedstr",
          ["verify", address, ...args, "--wallet", net.wallets.organization!.path],
          { env },
        );
      } catch (e) {
        if (!(e instanceof CommandFailed) || e.code !== 1) throw e;
        return JSON.parse(e.stdout) as Verification;
      }
    };
    const noKeys = await verify([]);
    expect(noKeys.rounds[0]).to.include({ ok: false });
    expect(noKeys.rounds[0]!.detail).to.match(/sealed/);
    const disclosed = await runJson<{ pool: string; keys: Record<string, string> }>(
      "fedstr-aggregator",
      ["disclose", "--pool", address, "--round", "1", ...aggWallet],
      { env },
    );
    const keysFile = join(dir, "keys.json");
    writeFileSync(keysFile, JSON.stringify(disclosed));
    const good = await verify(["--keys", keysFile]);
    expect(good.rounds[0], good.rounds[0]?.detail).to.include({ ok: true });
    expect(good.rounds[0]!.recomputedHash).to.be.a("string");
    const wrongFile = join(dir, "wrong-keys.json");
    writeFileSync(wrongFile, JSON.stringify({ pool: address, keys: { 1: keyToHex(generateSecretKey()) } }));
    const wrong = await verify(["--keys", wrongFile]);
    expect(wrong.rounds[0]).to.include({ ok: false });
    expect(wrong.rounds[0]!.detail).to.match(/not the disclosed key of this round/);
  });
});
