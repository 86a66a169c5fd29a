/**
 * The embedded local network with the real parts: the fedstr-localnet binary (Surfpool) with the
 * built program, the embedded relay and IPFS node, on free loopback ports with 100 ms slots.
 * Needs `bash scripts/build-program.sh` and `bash scripts/build-localnet.sh` (both in setup).
 */

import { spawn } from "node:child_process";
import { createHash } from "node:crypto";
import { existsSync, readFileSync } from "node:fs";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createInterface } from "node:readline";
import { openSession } from "@fedstr/sdk/cli";
import { loadConfig, storeFor } from "@fedstr/sdk/config";
import { chainTime } from "@fedstr/sdk/job";
import { RelayPool } from "@fedstr/sdk/nostr";
import {
  createPoolIx,
  fetchPool,
  fetchPoolsByCreator,
  findEscrowAddress,
  findPoolAddress,
  parseFedstrEvents,
} from "@fedstr/sdk/program";
import { getAccount, getAssociatedTokenAddressSync, getMint } from "@solana/spl-token";
import { Keypair, LAMPORTS_PER_SOL, SystemProgram, sendAndConfirmTransaction, Transaction } from "@solana/web3.js";
import { expect } from "chai";
import { type Event, finalizeEvent, generateSecretKey } from "nostr-tools/pure";
import {
  assertPortFree,
  DEFAULT_WALLETS,
  type LocalnetHandle,
  MINT_DECIMALS,
  REPO_ROOT,
  startLocalnet,
} from "../../localnet/index.js";

const TOKENS = 1_000_000;
const SOL = 1000;

/** Every event the relay holds matching `filter` (a fresh connection: what a newcomer would see). */
async function eventsOn(url: string, filter: Record<string, unknown>): Promise<Event[]> {
  const pool = new RelayPool([url]);
  await pool.start();
  try {
    const got: Event[] = [];
    await new Promise<void>((res, rej) => {
      const t = setTimeout(() => rej(new Error(`no EOSE from ${url}`)), 5000);
      pool.subscribe([filter as never], {
        onevent: (e) => got.push(e),
        oneose: () => {
          clearTimeout(t);
          res();
        },
      });
    });
    return got;
  } finally {
    pool.close();
  }
}

function note(text: string): Event {
  return finalizeEvent(
    { kind: 1, created_at: Math.floor(Date.now() / 1000), tags: [["t", "fedstr-localnet-test"]], content: text },
    generateSecretKey(),
  );
}

/** Running (a zombie waiting for its reaper counts as gone). */
function isAlive(pid: number): boolean {
  try {
    return !/^\d+ \(.*\) Z/.test(readFileSync(`/proc/${pid}/stat`, "utf8"));
  } catch {
    return false;
  }
}

async function waitUntil(what: string, cond: () => boolean, ms = 5000): Promise<void> {
  const until = Date.now() + ms;
  while (!cond()) {
    if (Date.now() > until) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

describe("localnet: fedstr-localnet + relay + IPFS node, wallets, mint and config", function () {
  this.timeout(60_000);
  let tmp: string;
  let net: LocalnetHandle;
  let startupMs: number;

  before(async () => {
    tmp = await mkdtemp(join(tmpdir(), "fedstr-localnet-"));
    const t0 = Date.now();
    net = await startLocalnet({ dir: join(tmp, "net"), slotTimeMs: 100, solPerWallet: SOL, tokensPerWallet: TOKENS });
    startupMs = Date.now() - t0;
  });
  after(async () => {
    await net?.stop();
    await rm(tmp, { recursive: true, force: true });
  });

  it("starts within seconds, with the fedstr program deployed and executable", async () => {
    expect(startupMs).to.be.below(15_000);
    const info = await net.connection.getAccountInfo(net.programId);
    expect(info, "program account").to.not.equal(null);
    expect(info!.executable).to.equal(true);
    expect(info!.owner.toBase58()).to.equal("BPFLoaderUpgradeab1e11111111111111111111111");
  });

  it("funds every wallet with SOL and test tokens of a 6-decimal mint, keypairs on disk", async () => {
    const mint = await getMint(net.connection, net.mint);
    expect(mint.decimals).to.equal(MINT_DECIMALS);
    expect(mint.mintAuthority?.toBase58()).to.equal(net.mintAuthority.publicKey.toBase58());
    expect(Object.keys(net.wallets)).to.deep.equal(DEFAULT_WALLETS);
    const units = BigInt(TOKENS) * 10n ** BigInt(MINT_DECIMALS);
    expect(mint.supply).to.equal(units * BigInt(DEFAULT_WALLETS.length));
    for (const [name, w] of Object.entries(net.wallets)) {
      expect(existsSync(w.path), `${name} keypair file`).to.equal(true);
      expect(await net.connection.getBalance(w.publicKey), `${name} SOL`).to.equal(SOL * LAMPORTS_PER_SOL);
      const account = await getAccount(net.connection, w.tokenAccount!);
      expect(account.owner.toBase58(), `${name} token account owner`).to.equal(w.publicKey.toBase58());
      expect(account.mint.toBase58()).to.equal(net.mint.toBase58());
      expect(account.amount, `${name} tokens`).to.equal(units);
    }
  });

  it("writes a config.json that loadConfig reads back to the same endpoints, mint and wallet", () => {
    // No environment, another working directory: only the file speaks.
    const config = loadConfig({ config: net.configPath }, {}, tmp);
    expect(config.source).to.equal(net.configPath);
    expect(config.cluster).to.equal("localnet");
    expect(config.rpcUrl).to.equal(net.rpcUrl);
    expect(config.wsUrl).to.equal(net.wsUrl);
    expect(Number(new URL(net.wsUrl).port)).to.equal(Number(new URL(net.rpcUrl).port) + 1); // what web3.js assumes
    expect(config.programId.toBase58()).to.equal(net.programId.toBase58());
    expect(config.relays).to.deep.equal([net.relayUrl]);
    expect(config.storage).to.deep.equal({ kind: "ipfs", api: net.ipfsUrl, gateway: net.ipfsUrl });
    expect(config.mint?.toBase58()).to.equal(net.mint.toBase58());
    expect(config.wallet).to.equal(net.wallets.organization!.path);
    expect(config.dataDir).to.equal(join(net.dir, "data"));
    expect(config.commitment).to.equal("confirmed");
  });

  it("the relay accepts an event and serves it to another connection", async () => {
    const event = note("hello localnet");
    const pool = new RelayPool([net.relayUrl]);
    await pool.start();
    const [outcome] = await pool.publish(event);
    pool.close();
    expect(outcome?.ok, outcome?.message).to.equal(true);
    const got = await eventsOn(net.relayUrl, { ids: [event.id] });
    expect(got.map((e) => e.id)).to.deep.equal([event.id]);
  });

  it("the IPFS node stores and returns content through storeFor(config)", async () => {
    const store = await storeFor(loadConfig({ config: net.configPath }, {}, tmp));
    try {
      const bytes = new TextEncoder().encode(`model bytes ${Date.now()}`);
      const cid = await store.put(bytes);
      expect(Buffer.from(await store.get(cid)).equals(Buffer.from(bytes))).to.equal(true);
    } finally {
      await store.close();
    }
  });

  it("runs a real fedstr create_pool through openSession(config).send, seen by logsSubscribe and getProgramAccounts", async () => {
    const session = openSession(loadConfig({ config: net.configPath }, {}, tmp));
    try {
      const org = net.wallets.organization!;
      expect(session.wallet.publicKey.toBase58()).to.equal(org.publicKey.toBase58());
      const now = await chainTime(net.connection);
      const sha = (s: string) => createHash("sha256").update(s).digest();
      const cid = (s: string) => Uint8Array.from([0x01, 0x55, 0x12, 0x20, ...sha(s)]);
      const reward = 1_000n * 10n ** BigInt(MINT_DECIMALS);
      const ix = await createPoolIx(session.program, {
        creator: org.publicKey,
        poolId: 1n,
        mint: net.mint,
        creatorToken: org.tokenAccount!,
        aggregator: net.wallets.aggregator!.publicKey,
        rewardAmount: reward,
        minStake: 10n * 10n ** BigInt(MINT_DECIMALS),
        maxParticipants: 5,
        numRounds: 3,
        roundDuration: 60n,
        joinDeadline: BigInt(now + 120),
        gracePeriod: 30n,
        claimWindow: 600n,
        slashLimitBps: 5_000,
        nostrJobId: sha("job"),
        trainingPlanCid: cid("plan"),
        initialModelCid: cid("initial model"),
      });
      // What the aggregator and the web app rely on: program logs over WebSocket, pools by creator.
      let subscription = 0;
      const logs = new Promise<{ signature: string; logs: string[] }>((res) => {
        subscription = net.connection.onLogs(net.programId, (l) => res(l), "confirmed");
      });
      await new Promise((r) => setTimeout(r, 200)); // let the subscription reach the server
      const signature = await session.send("create_pool", [ix]);
      const seen = await logs;
      await net.connection.removeOnLogsListener(subscription);
      expect(seen.signature).to.equal(signature);
      expect(parseFedstrEvents(session.program, seen.logs).map((e) => e.name)).to.include("poolCreated");
      expect(
        (await fetchPoolsByCreator(session.program, org.publicKey)).map((p) => p.publicKey.toBase58()),
      ).to.deep.equal([findPoolAddress(org.publicKey, 1n, net.programId)[0].toBase58()]);
      const [pool] = findPoolAddress(org.publicKey, 1n, net.programId);
      const account = await fetchPool(session.program, pool);
      expect(account?.creator.toBase58()).to.equal(org.publicKey.toBase58());
      expect(BigInt(account!.totalFunded.toString())).to.equal(reward);
      expect((await getAccount(net.connection, findEscrowAddress(pool, net.programId)[0])).amount).to.equal(reward);
    } finally {
      await session.close();
    }
  });

  it("timeTravel moves the Clock forward, it stays there, the chain keeps working and refuses to go back", async () => {
    const before = await chainTime(net.connection);
    const target = before + 86_400;
    expect(await net.timeTravel(target)).to.be.at.least(target);
    // Several slots later the Clock still reads the travelled-to time (it then follows wall time).
    await new Promise((r) => setTimeout(r, 500));
    const later = await chainTime(net.connection);
    expect(later)
      .to.be.at.least(target)
      .and.below(target + 60);
    const org = net.wallets.organization!;
    const tx = new Transaction().add(
      SystemProgram.transfer({ fromPubkey: org.publicKey, toPubkey: net.wallets.aggregator!.publicKey, lamports: 1 }),
    );
    await sendAndConfirmTransaction(net.connection, tx, [org.keypair], { commitment: "confirmed" });
    let refused: unknown;
    await net.timeTravel(before).catch((e: unknown) => {
      refused = e;
    });
    expect(String(refused)).to.match(/cannot go back/);
  });

  it("fund sets fresh wallets' SOL and test-token balances without a transaction, and they can spend them", async () => {
    const [a, b] = [Keypair.generate(), Keypair.generate()];
    const transactionsBefore = await net.connection.getTransactionCount();
    await net.fund([
      { wallet: a.publicKey, lamports: 2 * LAMPORTS_PER_SOL, tokens: 1_234_567n },
      { wallet: b.publicKey, lamports: 5_000_000 },
    ]);
    expect(await net.connection.getBalance(a.publicKey)).to.equal(2 * LAMPORTS_PER_SOL);
    expect(await net.connection.getBalance(b.publicKey)).to.equal(5_000_000);
    const ata = getAssociatedTokenAddressSync(net.mint, a.publicKey);
    const token = await getAccount(net.connection, ata);
    expect([token.amount, token.owner.toBase58(), token.mint.toBase58()]).to.deep.equal([
      1_234_567n,
      a.publicKey.toBase58(),
      net.mint.toBase58(),
    ]);
    expect(await net.connection.getAccountInfo(getAssociatedTokenAddressSync(net.mint, b.publicKey))).to.equal(null);
    expect(await net.connection.getTransactionCount()).to.equal(transactionsBefore); // nothing was sent for it
    const tx = new Transaction().add(
      SystemProgram.transfer({ fromPubkey: a.publicKey, toPubkey: b.publicKey, lamports: 1_000 }),
    );
    await sendAndConfirmTransaction(net.connection, tx, [a], { commitment: "confirmed" });
    expect(await net.connection.getBalance(b.publicKey)).to.equal(5_001_000);
    let refused: unknown;
    await net.fund([{ wallet: b.publicKey, lamports: -1 }]).catch((e: unknown) => {
      refused = e;
    });
    expect(String(refused)).to.match(/lamports must be a non-negative integer, got -1/);
  });

  it("restartRelay keeps the stored events and serves on the same URL", async () => {
    const event = note("survives a relay restart");
    const pool = new RelayPool([net.relayUrl]);
    await pool.start();
    await pool.publish(event);
    pool.close();
    await net.restartRelay();
    expect((await eventsOn(net.relayUrl, { ids: [event.id] })).map((e) => e.id)).to.deep.equal([event.id]);
  });

  it("stop() ends the binary, frees every port and removes config.json; a second stop() is a no-op", async () => {
    const ports = [net.rpcUrl, net.wsUrl, net.relayUrl, net.ipfsUrl].map((u) => Number(new URL(u).port));
    await net.stop();
    await net.stop();
    expect(isAlive(net.pid), "fedstr-localnet still running").to.equal(false);
    for (const p of ports) await assertPortFree(p, "rpc", `port ${p}`);
    expect(existsSync(net.configPath)).to.equal(false);
  });
});

describe("npm run localnet (scripts/localnet.ts)", function () {
  this.timeout(60_000);

  it("prints one JSON line with everything, and a SIGKILLed parent does not leave the binary running", async () => {
    const tmp = await mkdtemp(join(tmpdir(), "fedstr-localnet-cli-"));
    const args = [
      "--import",
      "tsx",
      join(REPO_ROOT, "scripts/localnet.ts"),
      "--json",
      "--dir",
      join(tmp, "net"),
      "--rpc-port",
      "0",
      "--relay-port",
      "0",
      "--ipfs-port",
      "0",
      "--slot-time",
      "100",
      "--wallets",
      "alice,bob",
    ];
    const child = spawn(process.execPath, args, { cwd: REPO_ROOT, stdio: ["ignore", "pipe", "inherit"] });
    try {
      const line = await new Promise<string>((res, rej) => {
        createInterface({ input: child.stdout! }).once("line", res);
        child.once("exit", (code) => rej(new Error(`localnet exited with ${code}`)));
      });
      const info = JSON.parse(line) as Record<string, unknown> & {
        wallets: Record<string, { publicKey: string; path: string }>;
        localnetPid: number;
        configPath: string;
      };
      expect(Object.keys(info.wallets)).to.deep.equal(["alice", "bob"]);
      for (const k of ["rpcUrl", "wsUrl", "relayUrl", "ipfsUrl", "programId", "mint", "configPath"])
        expect(info[k], k).to.be.a("string");
      expect(loadConfig({ config: info.configPath }, {}, tmp).wallet).to.equal(info.wallets.alice!.path);
      expect(isAlive(info.localnetPid)).to.equal(true);
      child.kill("SIGKILL");
      // The binary watches its stdin pipe: the parent's death closes it.
      await waitUntil("fedstr-localnet to exit after its parent was killed", () => !isAlive(info.localnetPid));
    } finally {
      child.kill("SIGKILL");
      await rm(tmp, { recursive: true, force: true });
    }
  });
});
