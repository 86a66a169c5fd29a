// Test harness for the fedstr program. Default backend: the built .so
// (target/deploy/fedstr.so) in LiteSVM, in process, with SPL Token bundled.
// With ANCHOR_PROVIDER_URL set (e.g. under `anchor test`), the same tests run
// against that validator through AnchorProvider.env(); time-travel tests run
// there only on a Surfpool localnet (surfnet_timeTravel), else they are skipped.

import { createHash } from "node:crypto";
import { existsSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { AnchorError, AnchorProvider, type Provider, utils, type Wallet } from "@coral-xyz/anchor";
import { KeypairWallet } from "@fedstr/sdk/cli";
import { chainTime } from "@fedstr/sdk/job";
import { FEDSTR_PROGRAM_ID, type FedstrProgram, getFedstrProgram } from "@fedstr/sdk/program";
import {
  ACCOUNT_SIZE,
  AccountLayout,
  createInitializeAccount3Instruction,
  createInitializeMint2Instruction,
  createMintToInstruction,
  MINT_SIZE,
  TOKEN_PROGRAM_ID,
} from "@solana/spl-token";
import {
  type AccountInfo,
  type Commitment,
  type Connection,
  Keypair,
  LAMPORTS_PER_SOL,
  PublicKey,
  Connection as SolanaConnection,
  SystemProgram,
  Transaction,
  type TransactionInstruction,
  type TransactionSignature,
  type VersionedTransaction,
} from "@solana/web3.js";
import { Clock, FailedTransactionMetadata, LiteSVM } from "litesvm";

const root = join(dirname(fileURLToPath(import.meta.url)), "../..");
export const PROGRAM_SO = join(root, "target/deploy/fedstr.so");

export interface TxResult {
  signature: string;
  logs: string[];
  /** Compute units consumed by the whole transaction (LiteSVM only; 0 on a validator). */
  computeUnits: number;
}

/** Error thrown for a failed transaction; carries the logs like web3's SendTransactionError. */
export class TxFailed extends Error {
  constructor(
    message: string,
    readonly logs: string[],
  ) {
    super(message);
  }
  /** The program error name (AnchorError log), if any. */
  get errorName(): string | undefined {
    return AnchorError.parse(this.logs)?.error.errorCode.code;
  }
}

/**
 * The part of AnchorProvider that Program needs, over LiteSVM: sendAndConfirm,
 * simulate and a Connection stand-in with getAccountInfo & co.
 */
export class LiteSVMProvider implements Provider {
  readonly connection: Connection;
  readonly wallet: Wallet;
  lastResult?: TxResult;
  /** Every account address seen in a transaction: LiteSVM cannot enumerate accounts. */
  private readonly seen = new Set<string>();
  constructor(
    readonly svm: LiteSVM,
    payer: Keypair,
  ) {
    this.wallet = new KeypairWallet(payer);
    const getAccountInfo = async (address: PublicKey): Promise<AccountInfo<Buffer> | null> => {
      const a = svm.getAccount(address);
      return a ? { ...a, data: Buffer.from(a.data) } : null;
    };
    const conn = {
      rpcEndpoint: "litesvm://in-process",
      commitment: "confirmed" as Commitment,
      getAccountInfo,
      getAccountInfoAndContext: async (address: PublicKey) => ({
        context: { slot: Number(svm.getClock().slot) },
        value: await getAccountInfo(address),
      }),
      getMultipleAccountsInfo: async (addresses: PublicKey[]) => Promise.all(addresses.map(getAccountInfo)),
      getMinimumBalanceForRentExemption: async (len: number) => Number(svm.minimumBalanceForRentExemption(BigInt(len))),
      getLatestBlockhash: async () => ({ blockhash: svm.latestBlockhash(), lastValidBlockHeight: 0 }),
      getSlot: async () => Number(svm.getClock().slot),
      getBalance: async (address: PublicKey) => Number(svm.getBalance(address) ?? 0n),
      // getProgramAccounts over the addresses seen so far, with memcmp/dataSize filters and a data slice.
      getProgramAccounts: async (
        programId: PublicKey,
        config?: {
          filters?: ({ memcmp: { offset: number; bytes: string } } | { dataSize: number })[];
          dataSlice?: { offset: number; length: number };
        },
      ) => {
        const out: { pubkey: PublicKey; account: AccountInfo<Buffer> }[] = [];
        for (const k of this.seen) {
          const pubkey = new PublicKey(k);
          const a = await getAccountInfo(pubkey);
          if (!a?.owner.equals(programId)) continue;
          const ok = (config?.filters ?? []).every((f) =>
            "dataSize" in f
              ? a.data.length === f.dataSize
              : a.data
                  .subarray(f.memcmp.offset, f.memcmp.offset + utils.bytes.bs58.decode(f.memcmp.bytes).length)
                  .equals(Buffer.from(utils.bytes.bs58.decode(f.memcmp.bytes))),
          );
          const slice = config?.dataSlice;
          const data = slice ? a.data.subarray(slice.offset, slice.offset + slice.length) : a.data;
          if (ok) out.push({ pubkey, account: { ...a, data } });
        }
        return out;
      },
    };
    this.connection = conn as unknown as Connection;
  }
  get publicKey() {
    return this.wallet.publicKey;
  }
  /** Signs with the wallet and `signers`, executes, returns the result or throws TxFailed. */
  execute(tx: Transaction, signers: Keypair[] = []): TxResult {
    tx.feePayer ??= this.wallet.publicKey;
    tx.recentBlockhash = this.svm.latestBlockhash();
    tx.sign(this.wallet.payer!, ...signers.filter((s) => !s.publicKey.equals(this.wallet.publicKey)));
    for (const k of tx.compileMessage().accountKeys) this.seen.add(k.toBase58());
    const res = this.svm.sendTransaction(tx);
    this.svm.expireBlockhash();
    if (res instanceof FailedTransactionMetadata) {
      const logs = res.meta().logs();
      throw new TxFailed(`transaction failed: ${res.err().toString()}\n${logs.join("\n")}`, logs);
    }
    const result = {
      signature: utils.bytes.bs58.encode(res.signature()),
      logs: res.logs(),
      computeUnits: Number(res.computeUnitsConsumed()),
    };
    this.lastResult = result;
    return result;
  }
  async sendAndConfirm(tx: Transaction | VersionedTransaction, signers: Keypair[] = []): Promise<TransactionSignature> {
    if (!(tx instanceof Transaction)) throw new Error("LiteSVMProvider: legacy transactions only");
    return this.execute(tx, signers).signature;
  }
  async simulate(tx: Transaction | VersionedTransaction, signers: Keypair[] = []) {
    if (!(tx instanceof Transaction)) throw new Error("LiteSVMProvider: legacy transactions only");
    tx.feePayer ??= this.wallet.publicKey;
    tx.recentBlockhash = this.svm.latestBlockhash();
    tx.sign(this.wallet.payer!, ...signers);
    const res = this.svm.simulateTransaction(tx);
    if (res instanceof FailedTransactionMetadata) throw new TxFailed(res.err().toString(), res.meta().logs());
    const meta = res.meta();
    return { logs: meta.logs(), unitsConsumed: Number(meta.computeUnitsConsumed()), err: null, accounts: null };
  }
}

/** What every test uses, whatever the backend. */
export interface TestEnv {
  readonly kind: "litesvm" | "validator";
  readonly program: FedstrProgram;
  readonly payer: Keypair;
  /** LiteSVM handle (undefined on a validator). */
  readonly svm?: LiteSVM;
  send(ixs: TransactionInstruction[], signers?: Keypair[]): Promise<TxResult>;
  now(): Promise<bigint>;
  /** Sets the cluster clock (LiteSVM; on a validator only Surfpool's surfnet_timeTravel, forward only). */
  warpTo(unixTimestamp: bigint): Promise<void>;
  canWarp: boolean;
  newWallet(sol?: number): Promise<Keypair>;
  createMint(decimals?: number): Promise<PublicKey>;
  createTokenAccount(mint: PublicKey, owner: PublicKey): Promise<PublicKey>;
  mintTo(mint: PublicKey, dest: PublicKey, amount: bigint): Promise<void>;
  tokenBalance(account: PublicKey): Promise<bigint>;
  accountExists(address: PublicKey): Promise<boolean>;
}

export const START_TIME = 1_800_000_000n;

/** Keypair source: random, or reproducible from a seed (same addresses, same bumps, same CU). */
export function keypairSource(seed?: string): () => Keypair {
  if (seed === undefined) return () => Keypair.generate();
  let n = 0;
  return () => Keypair.fromSeed(createHash("sha256").update(`${seed}/${n++}`).digest());
}
let nextKeypair = keypairSource();

/**
 * What both backends share: token accounts are made and read the same way;
 * each backend says how it sends, prices rent and reads an account's data.
 */
abstract class EnvBase {
  abstract readonly payer: Keypair;
  abstract send(ixs: TransactionInstruction[], signers?: Keypair[]): Promise<TxResult>;
  protected abstract rent(len: number): Promise<number>;
  protected abstract accountData(address: PublicKey): Promise<Uint8Array | null>;

  createMint(decimals = 6) {
    return this.createTokenProgramAccount(MINT_SIZE, (mint) =>
      createInitializeMint2Instruction(mint, decimals, this.payer.publicKey, null),
    );
  }
  createTokenAccount(mint: PublicKey, owner: PublicKey) {
    return this.createTokenProgramAccount(ACCOUNT_SIZE, (acc) => createInitializeAccount3Instruction(acc, mint, owner));
  }
  async mintTo(mint: PublicKey, dest: PublicKey, amount: bigint) {
    await this.send([createMintToInstruction(mint, dest, this.payer.publicKey, amount)]);
  }
  async tokenBalance(account: PublicKey) {
    const data = await this.accountData(account);
    if (!data) throw new Error(`no token account ${account.toBase58()}`);
    return AccountLayout.decode(Buffer.from(data)).amount;
  }
  private async createTokenProgramAccount(space: number, init: (address: PublicKey) => TransactionInstruction) {
    const kp = nextKeypair();
    const lamports = await this.rent(space);
    await this.send(
      [
        SystemProgram.createAccount({
          fromPubkey: this.payer.publicKey,
          newAccountPubkey: kp.publicKey,
          lamports,
          space,
          programId: TOKEN_PROGRAM_ID,
        }),
        init(kp.publicKey),
      ],
      [kp],
    );
    return kp.publicKey;
  }
}

class LiteSVMEnv extends EnvBase implements TestEnv {
  readonly kind = "litesvm" as const;
  readonly canWarp = true;
  readonly program: FedstrProgram;
  readonly provider: LiteSVMProvider;
  constructor(
    readonly svm: LiteSVM,
    readonly payer: Keypair,
  ) {
    super();
    this.provider = new LiteSVMProvider(svm, payer);
    this.program = getFedstrProgram(this.provider);
  }
  async send(ixs: TransactionInstruction[], signers: Keypair[] = []) {
    return this.provider.execute(new Transaction().add(...ixs), signers);
  }
  async now() {
    return this.svm.getClock().unixTimestamp;
  }
  async warpTo(ts: bigint) {
    const c = this.svm.getClock();
    this.svm.setClock(new Clock(c.slot + 1n, c.epochStartTimestamp, c.epoch, c.leaderScheduleEpoch, ts));
  }
  async newWallet(sol = 10) {
    const kp = nextKeypair();
    this.svm.airdrop(kp.publicKey, BigInt(sol * LAMPORTS_PER_SOL));
    return kp;
  }
  protected async rent(len: number) {
    return Number(this.svm.minimumBalanceForRentExemption(BigInt(len)));
  }
  protected async accountData(address: PublicKey) {
    return this.svm.getAccount(address)?.data ?? null;
  }
  async accountExists(address: PublicKey) {
    const a = this.svm.getAccount(address);
    return !!a && (a.lamports > 0 || a.data.length > 0);
  }
}

class ValidatorEnv extends EnvBase implements TestEnv {
  readonly kind = "validator" as const;
  readonly program: FedstrProgram;
  readonly payer: Keypair;
  constructor(
    readonly provider: AnchorProvider,
    readonly canWarp: boolean,
  ) {
    super();
    this.payer = (provider.wallet as Wallet).payer!;
    this.program = getFedstrProgram(provider);
  }
  async send(ixs: TransactionInstruction[], signers: Keypair[] = []) {
    const tx = new Transaction().add(...ixs);
    try {
      const signature = await this.provider.sendAndConfirm(tx, signers, { commitment: "confirmed" });
      const t = await this.provider.connection.getTransaction(signature, {
        commitment: "confirmed",
        maxSupportedTransactionVersion: 0,
      });
      return { signature, logs: t?.meta?.logMessages ?? [], computeUnits: t?.meta?.computeUnitsConsumed ?? 0 };
    } catch (e) {
      const logs = (e as { logs?: string[] }).logs ?? [];
      throw new TxFailed(String((e as Error).message), logs);
    }
  }
  async now() {
    return BigInt(await chainTime(this.provider.connection));
  }
  async warpTo(ts: bigint): Promise<void> {
    if (!this.canWarp) throw new Error("cannot warp a validator's clock");
    const res = await fetch(this.provider.connection.rpcEndpoint, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({
        jsonrpc: "2.0",
        id: 1,
        method: "surfnet_timeTravel",
        params: [{ absoluteTimestamp: Number(ts) * 1000 }],
      }),
    });
    const body = (await res.json()) as { error?: { message: string; data?: unknown } };
    // The validator's clock only moves forward and keeps running (its Clock sysvar, what now()
    // reads, can lag it): a target it has already passed is reached.
    if (body.error && /past timestamp/.test(`${body.error.message} ${String(body.error.data ?? "")}`)) return;
    if (body.error)
      throw new Error(`surfnet_timeTravel to ${ts}: ${body.error.message} ${String(body.error.data ?? "")}`);
  }
  async newWallet(sol = 10) {
    const kp = Keypair.generate();
    await this.send([
      SystemProgram.transfer({
        fromPubkey: this.payer.publicKey,
        toPubkey: kp.publicKey,
        lamports: sol * LAMPORTS_PER_SOL,
      }),
    ]);
    return kp;
  }
  protected rent(len: number) {
    return this.provider.connection.getMinimumBalanceForRentExemption(len);
  }
  protected async accountData(address: PublicKey) {
    return (await this.provider.connection.getAccountInfo(address, "confirmed"))?.data ?? null;
  }
  async accountExists(address: PublicKey) {
    return !!(await this.provider.connection.getAccountInfo(address, "confirmed"));
  }
}

/** A fresh environment: a new LiteSVM with the program loaded, or the validator. */
export async function createEnv(opts: { seed?: string } = {}): Promise<TestEnv> {
  nextKeypair = keypairSource(opts.seed);
  if (process.env.ANCHOR_PROVIDER_URL) {
    // AnchorProvider.env()'s URL and wallet, at "confirmed": a late signatureSubscribe at the
    // default "processed" can hang on Surfpool (docs/localnet.md, pitfalls).
    const fromEnv = AnchorProvider.env();
    const opts = { commitment: "confirmed", preflightCommitment: "confirmed" } as const;
    const provider = new AnchorProvider(
      new SolanaConnection(fromEnv.connection.rpcEndpoint, opts),
      fromEnv.wallet,
      opts,
    );
    // Surfpool (npm run localnet) can move its clock forward; other validators cannot.
    const version = (await provider.connection.getVersion()) as Record<string, unknown>;
    return new ValidatorEnv(provider, "surfnet-version" in version);
  }
  if (!existsSync(PROGRAM_SO)) {
    throw new Error(`${PROGRAM_SO} is missing: run \`bash scripts/build-program.sh\` first`);
  }
  const svm = new LiteSVM();
  svm.addProgramFromFile(FEDSTR_PROGRAM_ID, PROGRAM_SO);
  const payer = nextKeypair();
  svm.airdrop(payer.publicKey, BigInt(10_000 * LAMPORTS_PER_SOL));
  const env = new LiteSVMEnv(svm, payer);
  await env.warpTo(START_TIME);
  return env;
}

/** Runs `fn` and returns the fedstr error name it failed with (fails the test if it succeeded). */
export async function errorOf(fn: () => Promise<unknown>): Promise<string> {
  try {
    await fn();
  } catch (e) {
    if (e instanceof TxFailed) return e.errorName ?? `(no AnchorError) ${e.message.split("\n")[0]}`;
    throw e;
  }
  throw new Error("expected the transaction to fail");
}
