/**
 * A session: everything a command needs to act on a pool, opened from a FedstrConfig — the RPC
 * connection, the wallet and an Anchor provider, the fedstr program, the content store, the relay
 * pool and the Nostr key bound to the wallet. `send` turns program errors into their names.
 */
import { AnchorProvider, type Wallet } from "@coral-xyz/anchor";
import {
  type Connection,
  type Keypair,
  type Signer,
  Transaction,
  type TransactionInstruction,
  type VersionedTransaction,
} from "@solana/web3.js";
import { connectionFor, type FedstrConfig, loadKeypair, loadNostrKey, storeFor } from "../config/index.js";
import { RelayPool } from "../nostr/relay-pool.js";
import { fedstrErrorName } from "../program/errors.js";
import { IDL } from "../program/idl.js";
import { type FedstrProgram, getFedstrProgram } from "../program/program.js";
import type { ContentStore } from "../storage/types.js";

/** An Anchor wallet over a local keypair. */
export class KeypairWallet implements Wallet {
  constructor(readonly payer: Keypair) {}
  get publicKey() {
    return this.payer.publicKey;
  }
  async signTransaction<T extends Transaction | VersionedTransaction>(tx: T): Promise<T> {
    if (tx instanceof Transaction) tx.partialSign(this.payer);
    else tx.sign([this.payer]);
    return tx;
  }
  async signAllTransactions<T extends Transaction | VersionedTransaction>(txs: T[]): Promise<T[]> {
    return Promise.all(txs.map((t) => this.signTransaction(t)));
  }
}

/** A failed transaction, named after the program error when there is one. */
export class TransactionError extends Error {
  override name = "TransactionError";
  constructor(
    readonly action: string,
    readonly programError: string | undefined,
    message: string,
    readonly logs?: string[],
  ) {
    super(message);
  }
}

export interface Session {
  config: FedstrConfig;
  connection: Connection;
  wallet: Keypair;
  provider: AnchorProvider;
  program: FedstrProgram;
  nostr: { secretKey: Uint8Array; pubkey: string };
  /** Opened on first use. */
  store(): Promise<ContentStore>;
  /** Started on first use. */
  relays(): Promise<RelayPool>;
  /** Send instructions signed by the wallet (and `signers`), confirmed; errors become TransactionError. */
  send(action: string, ixs: TransactionInstruction[], signers?: Signer[]): Promise<string>;
  close(): Promise<void>;
}

export function openSession(config: FedstrConfig, opts: { wallet?: Keypair } = {}): Session {
  const connection = connectionFor(config);
  const wallet = opts.wallet ?? loadKeypair(config.wallet);
  const provider = new AnchorProvider(connection, new KeypairWallet(wallet), {
    commitment: config.commitment,
    preflightCommitment: config.commitment,
  });
  const program = getFedstrProgram(provider, config.programId);
  let store: Promise<ContentStore> | undefined;
  let relays: Promise<RelayPool> | undefined;
  return {
    config,
    connection,
    wallet,
    provider,
    program,
    nostr: loadNostrKey(config, wallet),
    store: () => (store ??= storeFor(config)),
    relays: () =>
      (relays ??= (async () => {
        const p = new RelayPool(config.relays);
        await p.start();
        return p;
      })()),
    async send(action, ixs, signers = []) {
      try {
        const tx = new Transaction().add(...ixs);
        return await provider.sendAndConfirm(tx, signers, { commitment: config.commitment });
      } catch (e) {
        const name = fedstrErrorName(e);
        const logs = (e as { logs?: string[] }).logs;
        const msg =
          name !== undefined
            ? `${action} failed: ${name}${describeError(name)}`
            : `${action} failed: ${(e as Error).message.split("\n")[0]}`;
        throw new TransactionError(action, name, msg, logs);
      }
    },
    async close() {
      if (relays) (await relays).close();
      if (store) await (await store).close();
    },
  };
}

/** ": <the program's message for the error>" from the IDL. */
function describeError(name: string): string {
  const e = IDL.errors.find((x) => x.name === name) as { msg?: string } | undefined;
  return e?.msg ? ` (${e.msg})` : "";
}
