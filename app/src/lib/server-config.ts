// Server only: the same config rules as the CLI (@fedstr/sdk/config), read from the repository root.
import { basename, dirname } from "node:path";
import { type FedstrConfig, loadConfig } from "@fedstr/sdk/config";
import type { PublicConfig } from "./public-config";

/** Where relative config paths and `.fedstr/localnet/config.json` are looked up: the repository root. */
export function repoRoot(): string {
  const cwd = process.cwd();
  return process.env.FEDSTR_ROOT ?? (basename(cwd) === "app" ? dirname(cwd) : cwd);
}

export function serverConfig(): FedstrConfig {
  return loadConfig({}, process.env, repoRoot());
}

export function publicConfig(): PublicConfig {
  const c = serverConfig();
  const s = c.storage;
  // Where browsers read from: the IPFS node's gateway (Kubo's is not its API port), Pinata's, or a gateway.
  const gateway = s.kind === "ipfs" || s.kind === "pinata" ? s.gateway : s.kind === "gateway" ? s.url : "";
  return {
    cluster: c.cluster,
    rpcUrl: c.rpcUrl,
    ...(c.wsUrl !== undefined ? { wsUrl: c.wsUrl } : {}),
    programId: c.programId.toBase58(),
    relays: c.relays,
    gateway,
    ...(s.kind === "pinata" && s.gatewayKey !== undefined
      ? { gatewayQuery: { pinataGatewayToken: s.gatewayKey } }
      : {}),
    storage: s.kind,
    ...(c.mint !== undefined ? { mint: c.mint.toBase58() } : {}),
    ...(c.source !== undefined ? { source: c.source } : {}),
  };
}
