// `fedstr` against a real local network (Surfpool with the fedstr program, the embedded relay and
// IPFS node, started by localnet/index.ts): an organization creates pools, participants join with
// the refusals the chain would give checked first, train two rounds with the real aggregator (one
// participant is killed and restarted mid-pool), then status, claim (twice: idempotent), verify,
// withdraw, finalize; and the cancel / expire paths. Time is moved with surfnet_timeTravel, never slept through.

import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { AnchorProvider } from "@coral-xyz/anchor";
import { loadConfig, loadKeypair, loadNostrKey } from "@fedstr/sdk/config";
import { type Dataset, digitsPlan, encode, hash, initialWeights, loadDigits, toHex } from "@fedstr/sdk/fl";
import { chainTime, scheduleOf } from "@fedstr/sdk/job";
import {
  fetchParticipant,
  fetchPool,
  findCommitmentAddress,
  findParticipantAddress,
  findPoolAddress,
  getFedstrProgram,
  PoolStatus,
} from "@fedstr/sdk/program";
import { getAssociatedTokenAddressSync } from "@solana/spl-token";
import { Keypair, PublicKey } from "@solana/web3.js";
import { expect } from "chai";
import { type LocalnetHandle, startLocalnet } from "../../localnet/index.js";
import { fedstr, jsonError, type Running, spawnLines } from "./helpers.js";

const WALLETS = ["organization", "aggregator", "participant-1", "participant-2"];

describe("fedstr client: on a local network", function () {
  this.timeout(600_000);
  let net: LocalnetHandle;
  let dir: string;
  let env: NodeJS.ProcessEnv;
  let planFile: string, modelFile: string, csv: string, jsonl: string;
  let aggregatorNostr: string;
  const running: Running[] = [];
  const w = (name: string) => ["--wallet", net.wallets[name]!.path];
  /** Run fedstr --json; returns the parsed document and the exit code. */
  const run = async <T = Record<string, unknown>>(args: string[]) => {
    const r = await fedstr([...args, "--json"], { env });
    let doc: unknown;
    try {
      doc = JSON.parse(r.stdout);
    } catch {
      throw new Error(
        `fedstr ${args.join(" ")}: stdout is not JSON (exit ${r.code}): ${r.stdout.slice(0, 300)} ${r.stderr.slice(-500)}`,
      );
    }
    return { code: r.code, doc: doc as T, stderr: r.stderr };
  };
  const ok = async <T = Record<string, unknown>>(args: string[]) => {
    const r = await run<T>(args);
    expect(r.code, `fedstr ${args.join(" ")}: ${r.stderr.slice(-500)} ${JSON.stringify(r.doc)}`).to.equal(0);
    return r.doc;
  };
  const refused = async (args: string[], code = 1) => {
    const r = await fedstr([...args, "--json"], { env });
    expect(r.code, `${args.join(" ")} → ${r.stdout}`).to.equal(code);
    return jsonError(r.stdout);
  };
  const balance = async (owner: string) =>
    BigInt(
      (
        await net.connection.getTokenAccountBalance(
          getAssociatedTokenAddressSync(net.mint, net.wallets[owner]!.publicKey),
        )
      ).value.amount,
    );
  const readProgram = () =>
    getFedstrProgram(new AnchorProvider(net.connection, { publicKey: PublicKey.default } as never, {}), net.programId);
  const poolAccount = async (pool: string) => (await fetchPool(readProgram(), new PublicKey(pool)))!;
  const lamports = async (address: PublicKey) => BigInt(await net.connection.getBalance(address, "confirmed"));
  const commitmentOf = (pool: string, who: string, round: number) =>
    findCommitmentAddress(new PublicKey(pool), net.wallets[who]!.publicKey, round, net.programId)[0];
  /** The fees the wallet paid for these transactions (lamports). */
  const feesOf = async (signatures: string[]) => {
    let fees = 0n;
    for (const sig of signatures) {
      const tx = await net.connection.getTransaction(sig, {
        commitment: "confirmed",
        maxSupportedTransactionVersion: 0,
      });
      fees += BigInt(tx!.meta!.fee);
    }
    return fees;
  };
  const create = (extra: string[]) =>
    ok<{
      pool: string;
      poolId: string;
      jobId: string;
      planCid: string;
      modelCid: string;
      escrow: string;
      reward: string;
      signature: string;
      joinDeadline: number;
      endDeadline: number;
    }>([
      "pool",
      "create",
      "--plan",
      planFile,
      "--model",
      modelFile,
      "--reward",
      "100",
      "--min-stake",
      "10",
      ...extra,
      ...w("organization"),
    ]);

  before(async () => {
    dir = mkdtempSync(join(tmpdir(), "fedstr-client-localnet-"));
    net = await startLocalnet({ dir: join(dir, "localnet"), slotTimeMs: 100, wallets: WALLETS, tokensPerWallet: 1000 });
    env = { FEDSTR_CONFIG: net.configPath, FEDSTR_POLL_MS: "250" };
    const digits = loadDigits();
    const shard = (from: number, n: number): Dataset => ({
      x: digits.x.slice(from * 784, (from + n) * 784),
      y: digits.y.slice(from, from + n),
      featureShape: [784],
      labelShape: [],
      length: n,
    });
    const a = shard(0, 200),
      b = shard(200, 200);
    csv = join(dir, "p1.csv");
    writeFileSync(
      csv,
      `${Array.from({ length: a.length }, (_, i) => [...Array.from(a.x.subarray(i * 784, (i + 1) * 784), (v) => +v.toFixed(3)), a.y[i]].join(",")).join("\n")}\n`,
    );
    jsonl = join(dir, "p2.jsonl");
    writeFileSync(
      jsonl,
      `${Array.from({ length: b.length }, (_, i) => JSON.stringify({ x: Array.from(b.x.subarray(i * 784, (i + 1) * 784), (v) => +v.toFixed(3)), y: b.y[i] })).join("\n")}\n`,
    );
    const init = await initialWeights(digitsPlan("00".repeat(32)), 3);
    const plan = digitsPlan(toHex(hash(init)), {
      training: { ...digitsPlan("00".repeat(32)).training, localEpochs: 1 },
    });
    planFile = join(dir, "plan.json");
    writeFileSync(planFile, JSON.stringify(plan));
    modelFile = join(dir, "model.fstw");
    writeFileSync(modelFile, encode(init));
    const config = loadConfig({ config: net.configPath });
    aggregatorNostr = loadNostrKey(config, loadKeypair(net.wallets.aggregator!.path)).pubkey;
  });

  after(async () => {
    for (const p of running) p.kill("SIGKILL");
    await Promise.all(running.map((p) => p.exited));
    await net?.stop();
  });

  describe("a two-round pool, end to end", () => {
    let pool: string;
    let created: Awaited<ReturnType<typeof create>>;

    it("pool create: uploads plan and model, escrows the reward, publishes the job request", async () => {
      const before = await balance("organization");
      created = await create([
        "--rounds",
        "2",
        "--round-seconds",
        "40",
        "--join-seconds",
        "600",
        "--grace-seconds",
        "20",
        "--claim-seconds",
        "120",
        "--aggregator",
        net.wallets.aggregator!.publicKey.toBase58(),
        "--aggregator-nostr",
        aggregatorNostr,
        "--privacy",
        "public",
        "--description",
        "client smoke",
      ]);
      pool = created.pool;
      expect(created).to.have.keys([
        "pool",
        "poolId",
        "jobId",
        "privacy",
        "planCid",
        "modelCid",
        "escrow",
        "reward",
        "signature",
        "joinDeadline",
        "endDeadline",
      ]);
      expect(created.reward).to.equal("100000000");
      expect(created.endDeadline - created.joinDeadline).to.equal(80);
      expect(
        findPoolAddress(net.wallets.organization!.publicKey, BigInt(created.poolId), net.programId)[0].toBase58(),
      ).to.equal(pool);
      expect(before - (await balance("organization"))).to.equal(100_000_000n);
      const acc = await poolAccount(pool);
      expect(Buffer.from(acc.nostrJobId).toString("hex")).to.equal(created.jobId);
      expect(acc.aggregator.toBase58()).to.equal(net.wallets.aggregator!.publicKey.toBase58());
    });

    it("pools: lists it with its terms and job request", async () => {
      const { pools } = await ok<{ pools: Record<string, unknown>[] }>(["pools"]);
      const mine = pools.find((p) => p.address === pool);
      expect(mine).to.deep.include({
        status: "Active",
        rounds: 2,
        roundSeconds: 40,
        minStake: "10000000",
        funded: "100000000",
        participants: 0,
        maxParticipants: 100,
      });
      expect(mine!.job).to.deep.equal({ description: "client smoke", privacy: "public", relays: [net.relayUrl] });
    });

    it("join: refuses an unknown pool, a non-pool account, a stake below the minimum or above the balance, a bad amount", async () => {
      const stranger = Keypair.generate().publicKey.toBase58();
      expect(await refused(["join", stranger, "--stake", "10", ...w("participant-1")])).to.deep.equal({
        name: "UnknownPool",
        message: `unknown pool ${stranger}`,
      });
      expect((await refused(["join", net.mint.toBase58(), ...w("participant-1")])).message).to.match(
        /^unknown pool .* \(the account is not a pool of program/,
      );
      expect(await refused(["join", pool, "--stake", "9.5", ...w("participant-1")])).to.deep.equal({
        name: "StakeTooLow",
        message: `stake 9.5 ${net.mint.toBase58()} is below the pool's minimum stake 10 ${net.mint.toBase58()}`,
      });
      expect(await refused(["join", pool, "--stake", "5000", ...w("participant-1")])).to.deep.equal({
        name: "InsufficientBalance",
        message: `insufficient balance: have 1000, need 5000 ${net.mint.toBase58()}`,
      });
      expect((await refused(["join", pool, "--stake", "1.0000001", ...w("participant-1")], 2)).message).to.equal(
        '--stake must be a token amount with at most 6 decimals, got "1.0000001"',
      );
    });

    it("join: stakes, prints the Nostr pubkey; a second join is refused", async () => {
      const j = await ok<{
        pool: string;
        participant: string;
        stake: string;
        signature: string;
        nostrPubkey: string;
        freezeAuthority: string | null;
      }>(["join", pool, "--stake", "12.5", ...w("participant-1")]);
      expect(j).to.have.keys([
        "pool",
        "participant",
        "stake",
        "signature",
        "nostrPubkey",
        "privacy",
        "freezeAuthority",
      ]);
      expect(j.stake).to.equal("12500000");
      expect(j.nostrPubkey).to.match(/^[0-9a-f]{64}$/);
      expect(j.freezeAuthority).to.equal(null); // the localnet's test mint has none
      // The session's Nostr key is on chain, in the participant account.
      const st = (await fetchParticipant(
        readProgram(),
        findParticipantAddress(new PublicKey(pool), net.wallets["participant-1"]!.publicKey, net.programId)[0],
      ))!;
      expect(Buffer.from(st.nostrPubkey).toString("hex")).to.equal(j.nostrPubkey);
      await ok(["join", pool, ...w("participant-2")]); // default stake: the minimum
      expect((await refused(["join", pool, ...w("participant-1")])).name).to.equal("AlreadyJoined");
      expect((await poolAccount(pool)).participantCount).to.equal(2);
    });

    it("refuses, before any transaction: training without having joined, data that does not fit the plan, withdrawing or finalizing an active pool", async () => {
      expect(await refused(["train", pool, "--data", csv, ...w("organization")])).to.deep.equal({
        name: "NotParticipant",
        message: `wallet ${net.wallets.organization!.publicKey.toBase58()} has not joined pool ${pool} (run fedstr join)`,
      });
      const bad = join(dir, "bad.csv");
      writeFileSync(bad, "1,2,3\n");
      const e = await refused(["train", pool, "--data", bad, ...w("participant-1")]);
      expect(e.name).to.equal("DataError");
      expect(e.message).to.match(/bad\.csv:1: expected 785 columns/);
      expect((await refused(["withdraw", pool, ...w("participant-1")])).message).to.match(
        /^stake is locked until the pool ends \(joins are open until /,
      );
      expect((await refused(["pool", "finalize", pool, ...w("organization")])).name).to.equal("ClaimWindowOpen");
      expect((await refused(["pool", "expire", pool, ...w("participant-1")])).name).to.equal("NotExpirable");
      expect(await refused(["pool", "cancel", pool, ...w("participant-1")])).to.deep.equal({
        name: "NotCreator",
        message: `only the creator ${net.wallets.organization!.publicKey.toBase58()} can cancel pool ${pool}`,
      });
    });

    it("train: both participants train both rounds with the real aggregator; one restarted mid-pool resumes without committing twice", async () => {
      const aggregator = spawnLines(
        "fedstr-aggregator",
        ["run", "--pool", pool, "--poll-ms", "250", ...w("aggregator")],
        env,
      );
      const p1 = spawnLines("fedstr", ["train", pool, "--data", csv, "--seed", "1", ...w("participant-1")], env);
      let p2 = spawnLines("fedstr", ["train", pool, "--data", jsonl, ...w("participant-2")], env);
      running.push(aggregator, p1, p2);
      const acc = await poolAccount(pool);
      const schedule = scheduleOf(acc);
      await net.timeTravel(schedule.joinDeadline + 1); // round 1 opens

      const r1 = await p2.waitFor((l) => l.event === "round-committed" && l.round === 1);
      expect(r1).to.have.keys(["event", "round", "cid", "sha256", "samples", "metrics", "signature", "resultEventId"]);
      expect(r1.samples).to.equal(200);
      p2.kill("SIGKILL"); // dies after round 1 was committed and published
      await p2.exited;
      await p1.waitFor((l) => l.event === "round-committed" && l.round === 1);
      // Round 2 opens once round 1 is posted: wait for the post, then move the clock.
      for (let i = 0; (await poolAccount(pool)).roundsPosted < 1; i++) {
        if (i > 600) throw new Error("round 1 was not posted");
        await new Promise((r) => setTimeout(r, 200));
      }
      p2 = spawnLines("fedstr", ["train", pool, "--data", jsonl, ...w("participant-2")], env);
      running.push(p2);
      await net.timeTravel(Math.max(schedule.roundStart(2) + 1, (await chainTime(net.connection)) + 1));

      const done1 = await p1.waitFor((l) => l.event === "done", 300_000);
      const done2 = await p2.waitFor((l) => l.event === "done", 300_000);
      expect(done1.status).to.equal("finished");
      expect(done2.status).to.equal("finished");
      expect(await p1.exited).to.equal(0);
      expect(await p2.exited).to.equal(0);
      // The restarted process committed round 2 only; round 1 came from its checkpoint.
      expect(p2.lines.filter((l) => l.event === "round-committed").map((l) => l.round)).to.deep.equal([2]);
      expect(
        (done2.rounds as { round: number; cid?: string }[]).map((r) => [r.round, r.cid !== undefined]),
      ).to.deep.equal([
        [1, true],
        [2, true],
      ]);
      expect(p1.lines.filter((l) => l.event === "round-skipped")).to.deep.equal([]);
      const final = await poolAccount(pool);
      expect(final.status).to.equal(PoolStatus.Finished);
      expect(await aggregator.exited).to.equal(0);
      // Each round-2 commit closed the wallet's round-1 commitment (posted by then); round 2's stays until the claim.
      for (const who of ["participant-1", "participant-2"]) {
        expect(await lamports(commitmentOf(pool, who, 1)), `${who}'s round-1 commitment`).to.equal(0n);
        expect((await lamports(commitmentOf(pool, who, 2))) > 0n, `${who}'s round-2 commitment is open`).to.equal(true);
      }
    });

    it("status: both rounds posted, my reward from the round report, not yet claimed", async () => {
      const s = await ok<{
        pool: { status: string; roundsPosted: number };
        participant: { stake: string; commitCount: number } | null;
        rounds: {
          round: number;
          posted: boolean;
          myReward: string | null;
          claimed: boolean | null;
          reward: string | null;
          committed: boolean | null;
        }[];
        chainTime: number;
      }>(["status", pool, ...w("participant-1")]);
      expect(s.pool).to.deep.include({ status: "Finished", roundsPosted: 2 });
      expect(s.participant).to.deep.include({ stake: "12500000", commitCount: 2 });
      expect(s.rounds.map((r) => [r.round, r.posted, r.committed, r.claimed])).to.deep.equal([
        [1, true, true, false],
        [2, true, true, false],
      ]);
      for (const r of s.rounds)
        expect(
          BigInt(r.myReward!) > 0n && BigInt(r.myReward!) <= BigInt(r.reward!),
          `my reward ${r.myReward} of ${r.reward}`,
        ).to.equal(true);
    });

    it("claim: claims both rounds with Merkle proofs and gets the last commitment's rent back; a second claim is a no-op", async () => {
      const before = await balance("participant-1");
      const wallet = net.wallets["participant-1"]!.publicKey;
      const rent = await lamports(commitmentOf(pool, "participant-1", 2));
      const solBefore = await lamports(wallet);
      const c = await ok<{
        claimed: { round: number; amount: string; signature: string }[];
        total: string;
        skipped: unknown[];
        closedCommitments: number[];
        rentReturned: string;
        closeSignatures: string[];
      }>(["claim", pool, ...w("participant-1")]);
      expect(c.claimed.map((x) => x.round)).to.deep.equal([1, 2]);
      expect(c.skipped).to.deep.equal([]);
      expect((await balance("participant-1")) - before).to.equal(BigInt(c.total));
      // The round-2 commitment closed inside a claim transaction: its whole rent came back, less only the fees.
      expect(c.closedCommitments).to.deep.equal([2]);
      expect(c.closeSignatures).to.deep.equal([]);
      expect(BigInt(c.rentReturned)).to.equal(rent);
      expect(await lamports(commitmentOf(pool, "participant-1", 2))).to.equal(0n);
      const fees = await feesOf(c.claimed.map((x) => x.signature));
      expect((await lamports(wallet)) - solBefore).to.equal(rent - fees);
      const again = await ok<{ claimed: unknown[]; total: string; skipped: { round: number; reason: string }[] }>([
        "claim",
        pool,
        ...w("participant-1"),
      ]);
      expect(again).to.deep.equal({
        claimed: [],
        total: "0",
        skipped: [
          { round: 1, reason: "already claimed" },
          { round: 2, reason: "already claimed" },
        ],
        closedCommitments: [],
        rentReturned: "0",
        closeSignatures: [],
      });
    });

    it("status: rounds whose commitment accounts are closed still show as committed", async () => {
      const s = await ok<{ rounds: { round: number; committed: boolean | null; claimed: boolean | null }[] }>([
        "status",
        pool,
        ...w("participant-1"),
      ]);
      expect(s.rounds.map((r) => [r.round, r.committed, r.claimed])).to.deep.equal([
        [1, true, true],
        [2, true, true],
      ]);
    });

    it("verify: every posted round recomputes to the on-chain model hash and reward root (closed commitments read from the ledger)", async () => {
      expect(await lamports(commitmentOf(pool, "participant-1", 1))).to.equal(0n);
      const v = await ok<{
        pool: string;
        rounds: {
          round: number;
          ok: boolean;
          onChainHash: string;
          recomputedHash: string;
          accepted: number;
          detail: string;
        }[];
      }>(["verify", pool, ...w("participant-2")]);
      expect(v.pool).to.equal(pool);
      expect(v.rounds.map((r) => [r.round, r.ok, r.accepted])).to.deep.equal([
        [1, true, 2],
        [2, true, 2],
      ]);
      for (const r of v.rounds) expect(r.recomputedHash).to.equal(r.onChainHash);
      const one = await ok<{ rounds: { round: number }[] }>(["verify", pool, "--round", "2"]);
      expect(one.rounds.map((r) => r.round)).to.deep.equal([2]);
    });

    it("withdraw: returns the whole stake; finalize after the claim window returns the unclaimed rewards", async () => {
      const before = await balance("participant-1");
      const wd = await ok<{ amount: string; signature: string }>(["withdraw", pool, ...w("participant-1")]);
      expect(wd.amount).to.equal("12500000");
      expect((await balance("participant-1")) - before).to.equal(12_500_000n);
      expect((await refused(["withdraw", pool, ...w("participant-1")])).name).to.equal("NothingToWithdraw");

      const acc = await poolAccount(pool);
      const windowEnd = Number(acc.endedAt.toString()) + 120;
      if ((await chainTime(net.connection)) <= windowEnd)
        expect((await refused(["pool", "finalize", pool, ...w("participant-2")])).message).to.match(
          /^claim window open until /,
        );
      await net.timeTravel(Math.max(windowEnd + 2, (await chainTime(net.connection)) + 1));
      const orgBefore = await balance("organization");
      const f = await ok<{ refunded: string; signature: string }>(["pool", "finalize", pool, ...w("participant-2")]); // anyone may finalize
      const left =
        BigInt(acc.totalFunded.toString()) - BigInt(acc.totalClaimed.toString()) - BigInt(acc.totalRefunded.toString());
      expect(BigInt(f.refunded)).to.equal(left);
      expect((await balance("organization")) - orgBefore).to.equal(left);
      expect((await refused(["pool", "finalize", pool, ...w("participant-2")])).message).to.equal(
        `pool ${pool} is already finalized`,
      );
    });

    it("withdraw after finalization: closes the commitments left and the participant account, stake and rent back", async () => {
      // participant-2 never claimed: its round-2 commitment is still open and its stake still staked.
      const who = "participant-2";
      const wallet = net.wallets[who]!.publicKey;
      const state = findParticipantAddress(new PublicKey(pool), wallet, net.programId)[0];
      const rent = (await lamports(commitmentOf(pool, who, 2))) + (await lamports(state));
      const stake = BigInt((await fetchParticipant(readProgram(), state))!.stake.toString());
      expect(stake > 0n, "participant-2's stake is still staked").to.equal(true);
      const [tokensBefore, solBefore] = [await balance(who), await lamports(wallet)];
      const wd = await ok<{
        amount: string;
        closedCommitments: number[];
        closedParticipant: boolean;
        rentReturned: string;
        signatures: string[];
      }>(["withdraw", pool, ...w(who)]);
      expect(wd).to.deep.include({ amount: stake.toString(), closedCommitments: [2], closedParticipant: true });
      expect(wd.signatures).to.have.length(1);
      expect(BigInt(wd.rentReturned)).to.equal(rent);
      expect((await balance(who)) - tokensBefore).to.equal(stake);
      expect((await lamports(wallet)) - solBefore).to.equal(rent - (await feesOf(wd.signatures)));
      expect(await lamports(state)).to.equal(0n);
      // participant-1 withdrew before: only its participant account's rent is left to return.
      const p1State = findParticipantAddress(
        new PublicKey(pool),
        net.wallets["participant-1"]!.publicKey,
        net.programId,
      )[0];
      const p1Rent = await lamports(p1State);
      const wd1 = await ok<{ amount: string; closedCommitments: number[]; rentReturned: string }>([
        "withdraw",
        pool,
        ...w("participant-1"),
      ]);
      expect(wd1).to.deep.include({ amount: "0", closedCommitments: [], rentReturned: p1Rent.toString() });
      expect(await lamports(p1State)).to.equal(0n);
    });
  });

  describe("ending a pool early", () => {
    it("pool cancel: the creator gets the whole reward back before round 1 is posted", async () => {
      const { pool } = await create(["--rounds", "1", "--round-seconds", "30", "--join-seconds", "600"]);
      const before = await balance("organization");
      const c = await ok<{ refunded: string; signature: string }>(["pool", "cancel", pool, ...w("organization")]);
      expect(c.refunded).to.equal("100000000");
      expect((await balance("organization")) - before).to.equal(100_000_000n);
      expect((await poolAccount(pool)).status).to.equal(PoolStatus.Cancelled);
    });

    it("withdraw expires a pool whose aggregator never posted, then returns the stake; pool expire refunds another", async () => {
      const terms = ["--rounds", "1", "--round-seconds", "10", "--join-seconds", "30", "--grace-seconds", "0"];
      const a = await create(terms);
      const b = await create(terms);
      await ok(["join", a.pool, ...w("participant-2")]);
      const late = Math.max(a.endDeadline, b.endDeadline) + 2;
      await net.timeTravel(late);
      expect((await refused(["join", b.pool, ...w("participant-2")])).message).to.match(
        /^join deadline passed: pool .* closed joins at /,
      );
      const before = await balance("participant-2");
      const wd = await ok<{ amount: string; signature: string; expired?: string }>([
        "withdraw",
        a.pool,
        ...w("participant-2"),
      ]);
      expect(wd.expired).to.be.a("string");
      expect(wd.amount).to.equal("10000000");
      expect((await balance("participant-2")) - before).to.equal(10_000_000n);
      expect((await poolAccount(a.pool)).status).to.equal(PoolStatus.Expired);

      const e = await ok<{ refunded: string; signature: string }>(["pool", "expire", b.pool, ...w("participant-1")]);
      expect(e.refunded).to.equal("100000000");
      expect((await refused(["pool", "expire", b.pool, ...w("participant-1")])).name).to.equal("PoolNotActive");
    });
  });
});
