/**
 * The embedded local network, in-process: the `fedstr-localnet` binary (Surfpool: Solana JSON-RPC +
 * WebSocket on loopback with the fedstr program loaded), the embedded Nostr relay and the embedded
 * IPFS node, plus funded wallets holding tokens of a fresh test mint and a config file every fedstr
 * command reads (see docs/localnet.md). `npm run localnet` (scripts/localnet.ts), the demo and the
 * end-to-end tests all start it through `startLocalnet`.
 */
import { type ChildProcess, spawn } from "node:child_process";
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { createServer } from "node:net";
import { homedir } from "node:os";
import { dirname, join, resolve } from "node:path";
import { createInterface } from "node:readline";
import { fileURLToPath } from "node:url";
import { chainTime } from "@fedstr/sdk/job";
import { type RelayServerHandle, startRelay } from "@fedstr/sdk/nostr";
import { FEDSTR_PROGRAM_ID } from "@fedstr/sdk/program";
import { type IpfsNodeHandle, startIpfsNode } from "@fedstr/sdk/storage";
import {
  createAssociatedTokenAccountIdempotentInstruction,
  createInitializeMint2Instruction,
  createMintToInstruction,
  getAssociatedTokenAddressSync,
  MINT_SIZE,
  TOKEN_PROGRAM_ID,
} from "@solana/spl-token";
import {
  Connection,
  Keypair,
  LAMPORTS_PER_SOL,
  type PublicKey,
  SystemProgram,
  sendAndConfirmTransaction,
  Transaction,
  type TransactionInstruction,
} from "@solana/web3.js";

export const REPO_ROOT = resolve(dirname(fileURLToPath(import.meta.url)), "..");
export const CACHE_DIR = process.env.FEDSTR_CACHE_DIR || join(homedir(), ".cache/fedstr");
/** Where scripts/build-localnet.sh puts the stripped binary, and cargo's own output as a fallback. */
export const LOCALNET_BINS = [
  join(CACHE_DIR, "bin/fedstr-localnet"),
  join(CACHE_DIR, "localnet-target/release/fedstr-localnet"),
];
export const PROGRAM_SO = join(REPO_ROOT, "target/deploy/fedstr.so");
export const DEFAULT_WALLETS = [
  "organization",
  "aggregator",
  "participant-1",
  "participant-2",
  "participant-3",
  "participant-4",
  "participant-5",
];
export const MINT_DECIMALS = 6;
/** The file that marks a directory as ours, so `dir` is only ever wiped when we made it. */
const MARKER = ".fedstr-localnet";
const HOST = "127.0.0.1";

export interface LocalnetOptions {
  /** State directory, wiped at start (default `.fedstr/localnet` under the working directory). */
  dir?: string;
  /** JSON-RPC port (WebSocket = rpcPort + 1, as web3.js assumes); 0 = any free pair. Default 0. */
  rpcPort?: number;
  /** Nostr relay port; 0 = any free port. Default 0. */
  relayPort?: number;
  /** IPFS node port; 0 = any free port. Default 0. */
  ipfsPort?: number;
  /** Slot length in ms (default 400; tests use ~100). */
  slotTimeMs?: number;
  /** Wallet names (default organization, aggregator, participant-1..participant-5). The first is the config's wallet. */
  wallets?: string[];
  /** SOL airdropped to each wallet at start-up (default 1000). */
  solPerWallet?: number;
  /** Test tokens minted to each wallet's associated token account, in whole tokens (default 1,000,000). */
  tokensPerWallet?: number;
  /** The fedstr-localnet binary (default: the first of LOCALNET_BINS that exists). */
  bin?: string;
  /** The program to load (default target/deploy/fedstr.so). */
  programSo?: string;
  /** Progress lines, and the binary's own stderr lines (`[localnet] …`). */
  onLog?: (line: string) => void;
}

export interface LocalnetWallet {
  /** Keypair file (Solana CLI format). */
  path: string;
  publicKey: PublicKey;
  keypair: Keypair;
  /** Associated token account of the test mint (undefined for the mint authority). */
  tokenAccount?: PublicKey;
}

export interface LocalnetHandle {
  dir: string;
  rpcUrl: string;
  wsUrl: string;
  relayUrl: string;
  ipfsUrl: string;
  programId: PublicKey;
  mint: PublicKey;
  mintDecimals: number;
  /** Holds the mint authority of `mint` (mint more test tokens with it). */
  mintAuthority: LocalnetWallet;
  configPath: string;
  wallets: Record<string, LocalnetWallet>;
  /** A connection at `confirmed` commitment with the WebSocket endpoint set. */
  connection: Connection;
  /** Process id of the fedstr-localnet binary. */
  pid: number;
  /**
   * Move the chain's Clock forward to `unixSeconds` (surfnet_timeTravel). The Clock stays there and
   * keeps following wall time from the new offset; travelling back is refused. Returns the chain time.
   */
  timeTravel(unixSeconds: number): Promise<number>;
  /**
   * Give wallets SOL and test tokens without transactions (surfnet_setAccount,
   * surfnet_setTokenAccount: the balance is set, the associated token account of `mint` created if
   * missing): a test's set-up for hundreds of wallets in seconds instead of minutes of transfers.
   */
  fund(wallets: { wallet: PublicKey; lamports: number; tokens?: bigint }[]): Promise<void>;
  /**
   * Close the relay and start it again on the same port and data directory (stored events survive),
   * after `downMs` (default 0) of downtime — or once `until` settles (an outage that lasts until the
   * test has seen what it waits for) — during which clients must queue and retry.
   */
  restartRelay(opts?: Outage): Promise<void>;
  /** The same for the IPFS node (its blockstore on disk survives): clients must retry uploads and fetches. */
  restartIpfs(opts?: Outage): Promise<void>;
  /** Stop the relay, the IPFS node and the binary (SIGTERM, then wait for it to exit) and remove config.json. Idempotent. */
  stop(): Promise<void>;
}

export type PortRole = "rpc" | "relay" | "ipfs";

export class LocalnetError extends Error {
  override name = "LocalnetError";
  /** Set when a port was busy: which one (so a CLI can name its flag). */
  constructor(
    message: string,
    readonly busyPort?: { role: PortRole; port: number },
  ) {
    super(message);
  }
}

/** The first existing fedstr-localnet binary, or undefined. */
export function findLocalnetBin(): string | undefined {
  return LOCALNET_BINS.find((p) => existsSync(p));
}

const PORT_NAMES: Record<PortRole, string> = { rpc: "RPC", relay: "relay", ipfs: "IPFS" };

function portInUse(role: PortRole, port: number, what = PORT_NAMES[role]): LocalnetError {
  return new LocalnetError(`${what} port ${port} is already in use`, { role, port });
}

/** Throws a LocalnetError naming the port when 127.0.0.1:`port` cannot be bound. */
export async function assertPortFree(port: number, role: PortRole, what = PORT_NAMES[role]): Promise<void> {
  await new Promise<void>((res, rej) => {
    const srv = createServer();
    srv.once("error", (e: NodeJS.ErrnoException) =>
      rej(
        e.code === "EADDRINUSE" ? portInUse(role, port, what) : new LocalnetError(`${what} port ${port}: ${e.message}`),
      ),
    );
    srv.listen({ port, host: HOST, exclusive: true }, () => srv.close(() => res()));
  });
}

/** A port the OS says is free right now. */
async function freePort(): Promise<number> {
  return await new Promise<number>((res, rej) => {
    const srv = createServer();
    srv.once("error", rej);
    srv.listen({ port: 0, host: HOST }, () => {
      const { port } = srv.address() as { port: number };
      srv.close(() => res(port));
    });
  });
}

/** Free ports P and P + 1: web3.js (and AnchorProvider.env) derive the WebSocket port as RPC port + 1. */
async function freePortPair(): Promise<number> {
  for (let i = 0; i < 50; i++) {
    const port = await freePort();
    if (
      port < 65535 &&
      (await assertPortFree(port + 1, "rpc").then(
        () => true,
        () => false,
      ))
    )
      return port;
  }
  throw new LocalnetError("found no two adjacent free ports for the RPC and its WebSocket");
}

function checkPort(port: number, what: string): number {
  if (!Number.isInteger(port) || port < 0 || port > 65535)
    throw new LocalnetError(`${what} port must be an integer from 0 (any free port) to 65535, got ${port}`);
  return port;
}

function checkOptions(o: LocalnetOptions) {
  const slotTimeMs = o.slotTimeMs ?? 400;
  if (!Number.isInteger(slotTimeMs) || slotTimeMs < 10 || slotTimeMs > 10_000)
    throw new LocalnetError(`slot time must be an integer from 10 to 10000 ms, got ${slotTimeMs}`);
  const wallets = o.wallets ?? DEFAULT_WALLETS;
  if (wallets.length === 0) throw new LocalnetError("at least one wallet is needed");
  for (const w of wallets) {
    if (!/^[A-Za-z0-9][A-Za-z0-9_-]{0,63}$/.test(w))
      throw new LocalnetError(
        `wallet name ${JSON.stringify(w)} must be letters, digits, - or _ (it becomes a file name)`,
      );
  }
  if (new Set(wallets).size !== wallets.length)
    throw new LocalnetError(`wallet names must be unique, got ${wallets.join(",")}`);
  const solPerWallet = o.solPerWallet ?? 1000;
  if (!(solPerWallet > 0) || !Number.isSafeInteger(solPerWallet * LAMPORTS_PER_SOL))
    throw new LocalnetError(`SOL per wallet must be a positive number, got ${solPerWallet}`);
  const tokensPerWallet = o.tokensPerWallet ?? 1_000_000;
  if (!Number.isSafeInteger(tokensPerWallet) || tokensPerWallet < 0)
    throw new LocalnetError(`tokens per wallet must be a whole number ≥ 0, got ${tokensPerWallet}`);
  return {
    dir: resolve(o.dir ?? ".fedstr/localnet"),
    rpcPort: checkPort(o.rpcPort ?? 0, "RPC"),
    relayPort: checkPort(o.relayPort ?? 0, "relay"),
    ipfsPort: checkPort(o.ipfsPort ?? 0, "IPFS"),
    slotTimeMs,
    wallets,
    solPerWallet,
    tokensPerWallet,
    programSo: resolve(o.programSo ?? PROGRAM_SO),
    log: o.onLog ?? (() => {}),
  };
}

/** Wipe `dir` for a fresh start — only if it is empty, or ours and not in use by a running localnet. */
function prepareDir(dir: string): void {
  if (existsSync(dir) && readdirSync(dir).length > 0) {
    const marker = join(dir, MARKER);
    if (!existsSync(marker))
      throw new LocalnetError(
        `${dir} is not empty and is not a localnet directory (no ${MARKER} file); refusing to wipe it — pick another directory`,
      );
    const pid = Number(readFileSync(marker, "utf8").trim());
    if (Number.isInteger(pid) && pid > 0 && pid !== process.pid && isAlive(pid))
      throw new LocalnetError(
        `a localnet is already running from ${dir} (process ${pid}); stop it first or pick another directory`,
      );
    rmSync(dir, { recursive: true, force: true });
  }
  mkdirSync(join(dir, "wallets"), { recursive: true });
  writeFileSync(join(dir, MARKER), `${process.pid}\n`);
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === "EPERM";
  }
}

function saveKeypair(path: string, kp: Keypair): void {
  writeFileSync(path, `${JSON.stringify(Array.from(kp.secretKey))}\n`, { mode: 0o600 });
}

interface ReadyLine {
  rpcUrl: string;
  wsUrl: string;
  pid: number;
}

/** Spawn the binary and resolve with its ready line; rejects with its last stderr lines if it exits first. */
async function spawnBinary(
  bin: string,
  args: string[],
  log: (l: string) => void,
): Promise<{ child: ChildProcess; ready: ReadyLine }> {
  // stdin is a pipe the binary watches (--exit-on-stdin-eof): if this process dies, even by SIGKILL, the binary stops.
  const child = spawn(bin, [...args, "--exit-on-stdin-eof"], { stdio: ["pipe", "pipe", "pipe"] });
  const lastLines: string[] = [];
  createInterface({ input: child.stderr! }).on("line", (l) => {
    lastLines.push(l);
    if (lastLines.length > 20) lastLines.shift();
    log(l);
  });
  const ready = await new Promise<ReadyLine>((res, rej) => {
    const timer = setTimeout(() => {
      child.kill("SIGKILL");
      rej(new LocalnetError(`fedstr-localnet was not ready within 60 s:\n${lastLines.join("\n")}`));
    }, 60_000);
    const fail = (why: string) => {
      clearTimeout(timer);
      rej(new LocalnetError(`fedstr-localnet ${why}${lastLines.length ? `:\n${lastLines.join("\n")}` : ""}`));
    };
    child.once("error", (e) => fail(`could not be started (${bin}): ${e.message}`));
    child.once("exit", (code, signal) =>
      setTimeout(() => fail(`exited during start-up (${signal ?? `exit ${code}`})`), 50),
    );
    createInterface({ input: child.stdout! }).once("line", (l) => {
      clearTimeout(timer);
      try {
        res(JSON.parse(l) as ReadyLine);
      } catch {
        rej(new LocalnetError(`fedstr-localnet printed an unexpected ready line: ${l}`));
      }
    });
  });
  return { child, ready };
}

/** Start everything; resolves once the wallets hold SOL and tokens and the config file is written. */
export async function startLocalnet(options: LocalnetOptions = {}): Promise<LocalnetHandle> {
  const o = checkOptions(options);
  const started = Date.now();
  const log = (msg: string) => o.log(`[localnet ${((Date.now() - started) / 1000).toFixed(1)}s] ${msg}`);
  const bin = options.bin ?? findLocalnetBin();
  if (bin === undefined || !existsSync(bin)) {
    throw new LocalnetError(
      `the fedstr-localnet binary is missing (${bin ?? LOCALNET_BINS.join(" or ")}): build it with \`bash scripts/build-localnet.sh\` (part of \`make setup\` / \`bash scripts/setup.sh\`)`,
    );
  }
  if (!existsSync(o.programSo)) {
    throw new LocalnetError(
      `the fedstr program ${o.programSo} is missing: build it with \`bash scripts/build-program.sh\` (part of \`make setup\` / \`bash scripts/setup.sh\`)`,
    );
  }
  // Fixed ports are checked up front so a busy one is named before anything starts.
  if (o.rpcPort !== 0) {
    await assertPortFree(o.rpcPort, "rpc");
    await assertPortFree(o.rpcPort + 1, "rpc", "RPC WebSocket (RPC port + 1)");
  }
  if (o.relayPort !== 0) await assertPortFree(o.relayPort, "relay");
  if (o.ipfsPort !== 0) await assertPortFree(o.ipfsPort, "ipfs");
  prepareDir(o.dir);

  const walletsDir = join(o.dir, "wallets");
  const wallets: Record<string, LocalnetWallet> = {};
  for (const name of o.wallets) {
    const keypair = Keypair.generate();
    const path = join(walletsDir, `${name}.json`);
    saveKeypair(path, keypair);
    wallets[name] = { path, publicKey: keypair.publicKey, keypair };
  }
  const authority = Keypair.generate();
  const mintAuthority: LocalnetWallet = {
    path: join(o.dir, "mint-authority.json"),
    publicKey: authority.publicKey,
    keypair: authority,
  };
  saveKeypair(mintAuthority.path, authority);

  const rpcPort = o.rpcPort !== 0 ? o.rpcPort : await freePortPair();
  const wsPort = rpcPort + 1;
  const programId = FEDSTR_PROGRAM_ID;
  log(`starting fedstr-localnet (Surfpool) on ${HOST}:${rpcPort}, ${o.slotTimeMs} ms slots`);
  const { child, ready } = await spawnBinary(
    bin,
    [
      "--json",
      "--rpc-port",
      String(rpcPort),
      "--ws-port",
      String(wsPort),
      "--slot-time",
      String(o.slotTimeMs),
      "--program",
      `${programId.toBase58()}=${o.programSo}`,
      "--airdrop-lamports",
      String(o.solPerWallet * LAMPORTS_PER_SOL),
      ...[...Object.values(wallets), mintAuthority].flatMap((w) => ["--airdrop", w.publicKey.toBase58()]),
    ],
    o.log,
  );
  const exited = new Promise<void>((res) => {
    if (child.exitCode !== null || child.signalCode !== null) res();
    else child.once("exit", () => res());
  });
  // Belt and braces with --exit-on-stdin-eof: a normal exit of this process takes the binary along.
  const killOnExit = () => {
    child.kill("SIGTERM");
  };
  process.once("exit", killOnExit);

  let relay: RelayServerHandle | undefined;
  let ipfs: IpfsNodeHandle | undefined;
  let stopping: Promise<void> | undefined;
  child.once("exit", (code, signal) => {
    if (!stopping) log(`fedstr-localnet exited on its own (${signal ?? `exit ${code}`}); the chain is gone`);
  });
  const stop = () =>
    (stopping ??= (async () => {
      process.removeListener("exit", killOnExit);
      const errors: unknown[] = [];
      await Promise.all(
        [relay?.close(), ipfs?.close()].map((p) =>
          p?.catch((e: unknown) => {
            errors.push(e);
          }),
        ),
      );
      child.kill("SIGTERM");
      const timer = setTimeout(() => child.kill("SIGKILL"), 10_000);
      await exited;
      clearTimeout(timer);
      // The chain's state died with it: a leftover config would point commands at nothing.
      rmSync(join(o.dir, "config.json"), { force: true });
      log("stopped");
      if (errors.length) throw errors[0];
    })());

  try {
    log(`chain ready: ${ready.rpcUrl} (ws ${ready.wsUrl}), program ${programId.toBase58()}`);
    const connection = new Connection(ready.rpcUrl, { commitment: "confirmed", wsEndpoint: ready.wsUrl });

    const relayDir = join(o.dir, "relay");
    relay = await startRelay({ dataDir: relayDir, port: o.relayPort, host: HOST }).catch((e: NodeJS.ErrnoException) => {
      throw e.code === "EADDRINUSE" ? portInUse("relay", o.relayPort) : e;
    });
    const relayPort = relay.port;
    log(`Nostr relay on ${relay.url}`);
    ipfs = await startIpfsNode({ dataDir: join(o.dir, "ipfs"), port: o.ipfsPort, host: HOST }).catch(
      (e: NodeJS.ErrnoException) => {
        throw e.code === "EADDRINUSE" ? portInUse("ipfs", o.ipfsPort) : e;
      },
    );
    const ipfsPort = ipfs.port;
    log(`IPFS node on ${ipfs.url}`);

    const mint = await createTestMint(
      connection,
      mintAuthority.keypair,
      Object.values(wallets),
      BigInt(o.tokensPerWallet) * 10n ** BigInt(MINT_DECIMALS),
    );
    log(
      `test mint ${mint.toBase58()}: ${o.tokensPerWallet} tokens and ${o.solPerWallet} SOL in each of ${o.wallets.length} wallets`,
    );

    const configPath = join(o.dir, "config.json");
    // Paths relative to the file (loadConfig resolves them), so the directory can be moved.
    const config = {
      cluster: "localnet",
      rpcUrl: ready.rpcUrl,
      wsUrl: ready.wsUrl,
      programId: programId.toBase58(),
      relays: [relay.url],
      storage: { kind: "ipfs", url: ipfs.url },
      mint: mint.toBase58(),
      wallet: `wallets/${o.wallets[0]}.json`,
      dataDir: "data",
      commitment: "confirmed",
    };
    mkdirSync(join(o.dir, "data"), { recursive: true });
    writeFileSync(configPath, `${JSON.stringify(config, null, 2)}\n`);
    log(`ready in ${((Date.now() - started) / 1000).toFixed(1)} s; config ${configPath}`);

    return {
      dir: o.dir,
      rpcUrl: ready.rpcUrl,
      wsUrl: ready.wsUrl,
      relayUrl: relay.url,
      ipfsUrl: ipfs.url,
      programId,
      mint,
      mintDecimals: MINT_DECIMALS,
      mintAuthority,
      configPath,
      wallets,
      connection,
      pid: ready.pid,
      timeTravel: (unixSeconds) => timeTravel(connection, ready.rpcUrl, unixSeconds),
      fund: (entries) => fund(ready.rpcUrl, mint, entries),
      async restartRelay(opts = {}) {
        if (stopping) throw new LocalnetError("the localnet is stopped");
        await relay?.close();
        await outage(opts);
        relay = await startRelay({ dataDir: relayDir, port: relayPort, host: HOST });
        log(`Nostr relay restarted on ${relay.url}`);
      },
      async restartIpfs(opts = {}) {
        if (stopping) throw new LocalnetError("the localnet is stopped");
        await ipfs?.close();
        await outage(opts);
        ipfs = await startIpfsNode({ dataDir: join(o.dir, "ipfs"), port: ipfsPort, host: HOST });
        log(`IPFS node restarted on ${ipfs.url}`);
      },
      stop,
    };
  } catch (e) {
    await stop().catch(() => {});
    throw e;
  }
}

/** A 6-decimal mint owned by `authority`, and each wallet's associated token account holding `amount`. */
async function createTestMint(
  connection: Connection,
  authority: Keypair,
  wallets: LocalnetWallet[],
  amount: bigint,
): Promise<PublicKey> {
  const mint = Keypair.generate();
  const rent = await connection.getMinimumBalanceForRentExemption(MINT_SIZE);
  await sendAndConfirmTransaction(
    connection,
    new Transaction().add(
      SystemProgram.createAccount({
        fromPubkey: authority.publicKey,
        newAccountPubkey: mint.publicKey,
        lamports: rent,
        space: MINT_SIZE,
        programId: TOKEN_PROGRAM_ID,
      }),
      createInitializeMint2Instruction(mint.publicKey, MINT_DECIMALS, authority.publicKey, null),
    ),
    [authority, mint],
    { commitment: "confirmed" },
  );
  const batches: TransactionInstruction[][] = [];
  for (const [i, w] of wallets.entries()) {
    w.tokenAccount = getAssociatedTokenAddressSync(mint.publicKey, w.publicKey);
    const ixs = [
      createAssociatedTokenAccountIdempotentInstruction(
        authority.publicKey,
        w.tokenAccount,
        w.publicKey,
        mint.publicKey,
      ),
    ];
    if (amount > 0n) ixs.push(createMintToInstruction(mint.publicKey, w.tokenAccount, authority.publicKey, amount));
    // Four wallets per transaction stays well under the 1232-byte limit.
    if (i % 4 === 0) batches.push([]);
    batches.at(-1)!.push(...ixs);
  }
  await Promise.all(
    batches.map((ixs) =>
      sendAndConfirmTransaction(connection, new Transaction().add(...ixs), [authority], { commitment: "confirmed" }),
    ),
  );
  return mint.publicKey;
}

/** How long a restarted service stays down: `downMs`, or until `until` settles (whichever is given). */
export interface Outage {
  downMs?: number;
  until?: Promise<unknown>;
}

async function outage(o: Outage): Promise<void> {
  if (o.until !== undefined) await o.until.catch(() => undefined);
  else if (o.downMs) await new Promise((r) => setTimeout(r, o.downMs));
}

/** One Surfpool cheatcode call; its error, if any, named. */
async function cheat(rpcUrl: string, method: string, params: unknown[]): Promise<void> {
  const res = await fetch(rpcUrl, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ jsonrpc: "2.0", id: 1, method, params }),
  });
  const body = (await res.json()) as { error?: { message: string; data?: unknown } };
  if (body.error)
    throw new LocalnetError(
      `${method} failed: ${body.error.message}${body.error.data ? ` (${String(body.error.data)})` : ""}`,
    );
}

async function fund(
  rpcUrl: string,
  mint: PublicKey,
  entries: { wallet: PublicKey; lamports: number; tokens?: bigint }[],
): Promise<void> {
  const FUND_CONCURRENCY = 8;
  for (let k = 0; k < entries.length; k += FUND_CONCURRENCY)
    await Promise.all(
      entries.slice(k, k + FUND_CONCURRENCY).map(async ({ wallet, lamports, tokens }) => {
        if (!Number.isSafeInteger(lamports) || lamports < 0)
          throw new LocalnetError(`fund: lamports must be a non-negative integer, got ${lamports}`);
        await cheat(rpcUrl, "surfnet_setAccount", [wallet.toBase58(), { lamports }]);
        if (tokens !== undefined) {
          if (tokens < 0n || tokens > BigInt(Number.MAX_SAFE_INTEGER))
            throw new LocalnetError(`fund: tokens must be from 0 to 2^53 − 1 base units, got ${tokens}`);
          await cheat(rpcUrl, "surfnet_setTokenAccount", [
            wallet.toBase58(),
            mint.toBase58(),
            { amount: Number(tokens) },
          ]);
        }
      }),
    );
}

/** surfnet_timeTravel to `unixSeconds`, then read the Clock sysvar back to be sure programs see it. */
async function timeTravel(connection: Connection, rpcUrl: string, unixSeconds: number): Promise<number> {
  if (!Number.isSafeInteger(unixSeconds) || unixSeconds <= 0)
    throw new LocalnetError(`timeTravel wants unix seconds, got ${unixSeconds}`);
  const before = await chainTime(connection);
  if (unixSeconds < before)
    throw new LocalnetError(`timeTravel cannot go back: chain time is ${before}, asked for ${unixSeconds}`);
  await cheat(rpcUrl, "surfnet_timeTravel", [{ absoluteTimestamp: unixSeconds * 1000 }]);
  const now = await chainTime(connection);
  if (now < unixSeconds)
    throw new LocalnetError(`surfnet_timeTravel answered, but the Clock reads ${now}, not ≥ ${unixSeconds}`);
  return now;
}
