// Event parsing from transaction logs (`Program data:` lines, Anchor format).
import { EventParser, type IdlEvents } from "@coral-xyz/anchor";
import type { PublicKey } from "@solana/web3.js";
import { findCommitmentAddress } from "./generated.js";
import type { Fedstr } from "./idl.js";
import type { FedstrProgram } from "./program.js";

export type FedstrEvents = IdlEvents<Fedstr>;
export type FedstrEventName = keyof FedstrEvents;
export type FedstrEvent = { [K in FedstrEventName]: { name: K; data: FedstrEvents[K] } }[FedstrEventName];

/** All fedstr events in `logs`, in order. */
export function parseFedstrEvents(p: FedstrProgram, logs: string[]): FedstrEvent[] {
  const parser = new EventParser(p.programId, p.coder);
  return [...parser.parseLogs(logs)] as FedstrEvent[];
}

/** Subscribes to fedstr events on the provider's connection; returns the listener id. */
export function onFedstrEvent<K extends FedstrEventName>(
  p: FedstrProgram,
  name: K,
  cb: (event: FedstrEvents[K], slot: number, signature: string) => void,
): number {
  return p.addEventListener(name, cb as never);
}

/**
 * What `participant` committed for `round` of `pool`, from the ledger: the UpdateCommitted event of the
 * transaction that created the commitment, found through the transactions that touched its address.
 * It stays there after the commitment account is closed (which its owner may do once the round is
 * posted). null when no such transaction is in the RPC node's history.
 */
export async function findUpdateCommitted(
  p: FedstrProgram,
  pool: PublicKey,
  participant: PublicKey,
  round: number,
): Promise<FedstrEvents["updateCommitted"] | null> {
  const { connection } = p.provider;
  const address = findCommitmentAddress(pool, participant, round, p.programId)[0];
  const PAGE = 100;
  for (let before: string | undefined; ; ) {
    const page = await connection.getSignaturesForAddress(
      address,
      { limit: PAGE, ...(before !== undefined ? { before } : {}) },
      "confirmed",
    );
    for (const s of page) {
      if (s.err !== null) continue;
      const tx = await connection.getTransaction(s.signature, {
        commitment: "confirmed",
        maxSupportedTransactionVersion: 0,
      });
      for (const e of parseFedstrEvents(p, tx?.meta?.logMessages ?? []))
        if (
          e.name === "updateCommitted" &&
          e.data.round === round &&
          e.data.pool.equals(pool) &&
          e.data.participant.equals(participant)
        )
          return e.data;
    }
    if (page.length < PAGE) return null;
    before = page[page.length - 1]!.signature;
  }
}
