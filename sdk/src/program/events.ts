// Event parsing from transaction logs (`Program data:` lines, Anchor format).
import { EventParser, type IdlEvents } from "@coral-xyz/anchor";
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
