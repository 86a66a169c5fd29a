// Hand-run smoke check of the localnet binary (not part of the mocha suite):
//   npx tsx localnet/check.ts [--bin <path to fedstr-localnet>] [--rpc-port 18899]
// Starts fedstr-localnet with target/deploy/fedstr.so, then over JSON-RPC + WebSocket:
// getVersion, getHealth, requestAirdrop, a startup-funded key, the fedstr program
// account (executable, BPF upgradeable loader), SPL Token instructions (mint, account,
// mint_to), a real fedstr create_pool, onLogs / signatureSubscribe / accountSubscribe /
// slotSubscribe, and a clean stop on SIGTERM. Prints one line per check; exits 1 on failure.
import { spawn } from "node:child_process";
import { createInterface } from "node:readline";
import { createHash } from "node:crypto";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { homedir } from "node:os";
import { AnchorProvider, utils, type Wallet } from "@coral-xyz/anchor";
const bs58encode = (b: Uint8Array) => utils.bytes.bs58.encode(b);
import {
  Connection,
  Keypair,
  LAMPORTS_PER_SOL,
  PublicKey,
  SystemProgram,
  Transaction,
  sendAndConfirmTransaction,
  type TransactionInstruction,
  type VersionedTransaction,
} from "@solana/web3.js";
import {
  MINT_SIZE,
  TOKEN_PROGRAM_ID,
  createInitializeMint2Instruction,
  createAccount,
  getAccount,
  mintTo,
} from "@solana/spl-token";
import {
  FEDSTR_PROGRAM_ID,
  createPoolIx,
  fetchPool,
  findPoolAddress,
  findEscrowAddress,
  getFedstrProgram,
  parseFedstrEvents,
} from "@fedstr/sdk/program";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");
const argv = process.argv.slice(2);
const opt = (name: string, dflt: string) => {
  const i = argv.indexOf(name);
  return (i >= 0 ? argv[i + 1] : undefined) ?? dflt;
};
const cacheDir = process.env.FEDSTR_CACHE_DIR ?? join(homedir(), ".cache/fedstr");
const bin = opt("--bin", join(cacheDir, "localnet-target/release/fedstr-localnet"));
const rpcPort = opt("--rpc-port", "18899");

const results: { check: string; ok: boolean; detail: string }[] = [];
const t0 = Date.now();
async function check(name: string, fn: () => Promise<string>) {
  try {
    const detail = await fn();
    results.push({ check: name, ok: true, detail });
    console.log(`ok   ${name}: ${detail}`);
  } catch (e) {
    const detail = e instanceof Error ? e.message : String(e);
    results.push({ check: name, ok: false, detail });
    console.log(`FAIL ${name}: ${detail}`);
  }
}
function assert(cond: unknown, msg: string): asserts cond {
  if (!cond) throw new Error(msg);
}
const withTimeout = <T>(p: Promise<T>, ms: number, what: string) =>
  Promise.race([p, new Promise<T>((_, rej) => setTimeout(() => rej(new Error(`${what}: timeout ${ms} ms`)), ms))]);

// ---- start the localnet ----------------------------------------------------
const funded = Keypair.generate();
const child = spawn(
  bin,
  [
    "--rpc-port", rpcPort,
    "--program", `${FEDSTR_PROGRAM_ID.toBase58()}=${join(root, "target/deploy/fedstr.so")}`,
    "--airdrop", funded.publicKey.toBase58(),
    "--log-txs",
    "--json",
  ],
  { stdio: ["ignore", "pipe", "inherit"] },
);
const exited = new Promise<number | null>((res) => child.on("exit", (code) => res(code)));
const ready = await withTimeout(
  new Promise<{ rpcUrl: string; wsUrl: string; pid: number }>((res, rej) => {
    child.on("error", rej);
    child.on("exit", (c) => rej(new Error(`fedstr-localnet exited early (${c})`)));
    createInterface({ input: child.stdout! }).once("line", (l) => res(JSON.parse(l)));
  }),
  60_000,
  "localnet ready line",
);
console.log(`localnet ready after ${Date.now() - t0} ms: ${JSON.stringify(ready)}`);

const conn = new Connection(ready.rpcUrl, { commitment: "confirmed", wsEndpoint: ready.wsUrl });
const payer = Keypair.generate();

try {
  await check("getVersion", async () => JSON.stringify(await conn.getVersion()));
  await check("getHealth (raw JSON-RPC)", async () => {
    const r = await fetch(ready.rpcUrl, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ jsonrpc: "2.0", id: 1, method: "getHealth" }),
    });
    const j = (await r.json()) as { result?: string };
    assert(j.result === "ok", `getHealth: ${JSON.stringify(j)}`);
    return j.result;
  });
  await check("getSlot / getLatestBlockhash", async () => {
    const slot = await conn.getSlot();
    const bh = await conn.getLatestBlockhash();
    return `slot ${slot}, blockhash ${bh.blockhash}, lastValidBlockHeight ${bh.lastValidBlockHeight}`;
  });
  await check("requestAirdrop + confirmTransaction (signatureSubscribe)", async () => {
    const sig = await conn.requestAirdrop(payer.publicKey, 100 * LAMPORTS_PER_SOL);
    const bh = await conn.getLatestBlockhash();
    await withTimeout(conn.confirmTransaction({ signature: sig, ...bh }, "confirmed"), 20_000, "confirm airdrop");
    const bal = await conn.getBalance(payer.publicKey);
    assert(bal === 100 * LAMPORTS_PER_SOL, `balance ${bal}`);
    return `${bal / LAMPORTS_PER_SOL} SOL`;
  });
  await check("signatureSubscribe (onSignature, raw send)", async () => {
    const tx = new Transaction().add(SystemProgram.transfer({ fromPubkey: payer.publicKey, toPubkey: funded.publicKey, lamports: 1_000 }));
    tx.recentBlockhash = (await conn.getLatestBlockhash()).blockhash;
    tx.feePayer = payer.publicKey;
    tx.sign(payer);
    const sig = bs58encode(tx.signature!);
    let id = 0;
    const notified = new Promise<string>((res) => {
      id = conn.onSignature(sig, (r) => res(r.err ? `err ${JSON.stringify(r.err)}` : "ok"), "confirmed");
    });
    await new Promise((r) => setTimeout(r, 300));
    await conn.sendRawTransaction(tx.serialize());
    const r = await withTimeout(notified, 15_000, "signature notification");
    void id; // one-shot: web3.js removes the listener after the notification
    assert(r === "ok", r);
    return `notified ${r} for ${sig.slice(0, 12)}…`;
  });
  await check("startup-funded key (--airdrop)", async () => {
    const bal = await conn.getBalance(funded.publicKey);
    assert(bal > 0, "not funded");
    return `${bal / LAMPORTS_PER_SOL} SOL`;
  });
  await check("fedstr program account is executable", async () => {
    const info = await conn.getAccountInfo(FEDSTR_PROGRAM_ID);
    assert(info, "no account");
    assert(info.executable, "not executable");
    return `owner ${info.owner.toBase58()}, executable ${info.executable}`;
  });
  await check("SPL Token program present", async () => {
    const info = await conn.getAccountInfo(TOKEN_PROGRAM_ID);
    assert(info?.executable, "SPL Token program missing or not executable");
    return `owner ${info.owner.toBase58()}`;
  });

  // slotSubscribe: the clock produces slots (400 ms by default).
  await check("slotSubscribe", async () => {
    let id = 0;
    const slot = await withTimeout(
      new Promise<number>((res) => { id = conn.onSlotChange((s) => res(s.slot)); }),
      10_000,
      "slot notification",
    );
    await conn.removeSlotChangeListener(id);
    return `slot ${slot}`;
  });

  // SPL Token: a mint (system create_account + InitializeMint2), an account, mint_to.
  const mint = Keypair.generate();
  let creatorToken = PublicKey.default;
  await check("SPL Token: create mint, token account, mint_to", async () => {
    const rent = await conn.getMinimumBalanceForRentExemption(MINT_SIZE);
    const tx = new Transaction().add(
      SystemProgram.createAccount({ fromPubkey: payer.publicKey, newAccountPubkey: mint.publicKey, lamports: rent, space: MINT_SIZE, programId: TOKEN_PROGRAM_ID }),
      createInitializeMint2Instruction(mint.publicKey, 6, payer.publicKey, null),
    );
    await sendAndConfirmTransaction(conn, tx, [payer, mint]);
    creatorToken = await createAccount(conn, payer, mint.publicKey, payer.publicKey, Keypair.generate());
    // accountSubscribe on the token account while minting into it.
    let subId = 0;
    const changed = new Promise<number>((res) => { subId = conn.onAccountChange(creatorToken, (a) => res(a.data.length), "confirmed"); });
    await mintTo(conn, payer, mint.publicKey, creatorToken, payer, 10_000_000n);
    const len = await withTimeout(changed, 10_000, "accountSubscribe notification");
    await conn.removeAccountChangeListener(subId);
    const acct = await getAccount(conn, creatorToken);
    assert(acct.amount === 10_000_000n, `amount ${acct.amount}`);
    return `mint ${mint.publicKey.toBase58()}, balance ${acct.amount}, accountSubscribe saw ${len} bytes`;
  });

  // fedstr create_pool, with logsSubscribe on the program watching for its event.
  await check("fedstr create_pool + onLogs (logsSubscribe mentions)", async () => {
    const wallet: Wallet = {
      payer,
      publicKey: payer.publicKey,
      signTransaction: async <T extends Transaction | VersionedTransaction>(t: T) => t,
      signAllTransactions: async <T extends Transaction | VersionedTransaction>(t: T[]) => t,
    };
    const program = getFedstrProgram(new AnchorProvider(conn, wallet, { commitment: "confirmed" }));
    const sha = (s: string) => createHash("sha256").update(s).digest();
    const cid = (s: string, codec = 0x55) => Uint8Array.from([0x01, codec, 0x12, 0x20, ...sha(s)]);
    const now = BigInt(Math.floor(Date.now() / 1000));
    const chainNow = BigInt((await conn.getBlockTime(await conn.getSlot())) ?? Number(now));
    const poolId = 1n;
    const ix: TransactionInstruction = await createPoolIx(program, {
      creator: payer.publicKey,
      poolId,
      mint: mint.publicKey,
      creatorToken,
      aggregator: funded.publicKey,
      rewardAmount: 1_000_000n,
      minStake: 100n,
      maxParticipants: 5,
      numRounds: 3,
      roundDuration: 100n,
      joinDeadline: chainNow + 100n,
      gracePeriod: 50n,
      claimWindow: 200n,
      slashLimitBps: 5_000,
      nostrJobId: sha("nostr job"),
      clientScriptCid: cid("client script"),
      initialModelCid: cid("initial model", 0x70),
    });
    let subId = 0;
    const logs = new Promise<{ signature: string; logs: string[] }>((res) => {
      subId = conn.onLogs(FEDSTR_PROGRAM_ID, (l) => res({ signature: l.signature, logs: l.logs }), "confirmed");
    });
    // Give the subscription a moment to be registered server-side.
    await new Promise((r) => setTimeout(r, 300));
    const sig = await sendAndConfirmTransaction(conn, new Transaction().add(ix), [payer]);
    const seen = await withTimeout(logs, 15_000, "logsSubscribe notification");
    await conn.removeOnLogsListener(subId);
    assert(seen.signature === sig, `onLogs saw ${seen.signature}, sent ${sig}`);
    const events = parseFedstrEvents(program, seen.logs);
    const [pool] = findPoolAddress(payer.publicKey, poolId);
    const state = await fetchPool(program, pool);
    assert(state, "pool account missing");
    const escrow = await getAccount(conn, findEscrowAddress(pool)[0]);
    const tx = await conn.getTransaction(sig, { commitment: "confirmed", maxSupportedTransactionVersion: 0 });
    assert(events.some((e) => e.name === "poolCreated"), `no poolCreated event in logs: ${JSON.stringify(seen.logs)}`);
    assert(escrow.amount === 1_000_000n, `escrow holds ${escrow.amount}`);
    return `sig ${sig.slice(0, 12)}…, events [${events.map((e) => e.name).join(", ")}], pool.totalFunded ${state.totalFunded.toString()}, escrow ${escrow.amount}, CU ${tx?.meta?.computeUnitsConsumed}`;
  });

  await check("getProgramAccounts (pools by creator)", async () => {
    const wallet = { payer, publicKey: payer.publicKey } as unknown as Wallet;
    const program = getFedstrProgram(new AnchorProvider(conn, wallet, {}));
    const pools = await program.account.pool.all([{ memcmp: { offset: 8, bytes: payer.publicKey.toBase58() } }]);
    assert(pools.length === 1, `${pools.length} pools`);
    return `${pools.length} pool`;
  });
} finally {
  // ---- clean stop ----------------------------------------------------------
  const stopAt = Date.now();
  child.kill("SIGTERM");
  const code = await withTimeout(exited, 10_000, "exit after SIGTERM").catch(() => {
    child.kill("SIGKILL");
    return -1;
  });
  results.push({ check: "SIGTERM stops it", ok: code === 0, detail: `exit ${code} after ${Date.now() - stopAt} ms` });
  console.log(`${code === 0 ? "ok  " : "FAIL"} SIGTERM stops it: exit ${code} after ${Date.now() - stopAt} ms`);
}

const failed = results.filter((r) => !r.ok);
console.log(JSON.stringify({ ok: failed.length === 0, checks: results.length, failed: failed.map((f) => f.check), ms: Date.now() - t0 }));
process.exit(failed.length ? 1 : 0);
