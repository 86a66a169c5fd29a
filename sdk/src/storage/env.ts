/**
 * Pick a ContentStore from environment variables:
 *
 *   FEDSTR_STORAGE   ipfs (default when FEDSTR_IPFS_URL or FEDSTR_IPFS_API is set) | pinata | gateway | helia
 *   FEDSTR_IPFS_API + FEDSTR_IPFS_GATEWAY   ipfs: a node's RPC API and gateway (Kubo: http://127.0.0.1:5001 + http://127.0.0.1:8080)
 *   FEDSTR_IPFS_URL      ipfs:    one URL for both (the embedded node, printed by `npm run ipfs-node`)
 *   PINATA_JWT, PINATA_GATEWAY[, PINATA_GATEWAY_KEY]   pinata
 *   FEDSTR_IPFS_GATEWAY  gateway: any IPFS HTTP gateway, read-only (default kind when it is the only one set)
 *   FEDSTR_IPFS_DIR      helia:   an in-process node on this directory
 *   FEDSTR_MAX_CONTENT_BYTES, FEDSTR_STORAGE_TIMEOUT_MS   limits
 */

import { IPFS_ENV_NAMES, resolveIpfsEndpoints } from "./endpoints.js";
import { GatewayStore } from "./gateway.js";
import { HeliaStore } from "./helia.js";
import { IpfsHttpStore } from "./ipfs-http.js";
import { PinataStore } from "./pinata.js";
import type { ContentStore, StoreLimits } from "./types.js";

function need(env: Record<string, string | undefined>, name: string): string {
  const v = env[name];
  if (v == null || v === "")
    throw new Error(`${name} must be set for FEDSTR_STORAGE=${env.FEDSTR_STORAGE ?? "(default)"}`);
  return v;
}

export async function storeFromEnv(env: Record<string, string | undefined> = process.env): Promise<ContentStore> {
  const limits: StoreLimits = {};
  const positive = (name: string): number | undefined => {
    const v = env[name];
    if (v == null || v === "") return undefined;
    const n = Number(v);
    if (!Number.isSafeInteger(n) || n <= 0)
      throw new Error(`${name} must be a positive integer, got ${JSON.stringify(v)}`);
    return n;
  };
  const maxBytes = positive("FEDSTR_MAX_CONTENT_BYTES");
  const timeoutMs = positive("FEDSTR_STORAGE_TIMEOUT_MS");
  if (maxBytes != null) limits.maxBytes = maxBytes;
  if (timeoutMs != null) limits.timeoutMs = timeoutMs;
  const set = (name: string): boolean => env[name] != null && env[name] !== "";
  const kind =
    env.FEDSTR_STORAGE ??
    (set("FEDSTR_IPFS_URL") || set("FEDSTR_IPFS_API")
      ? "ipfs"
      : set("PINATA_JWT")
        ? "pinata"
        : set("FEDSTR_IPFS_GATEWAY")
          ? "gateway"
          : "ipfs");
  switch (kind) {
    case "ipfs": {
      const { apiUrl, gatewayUrl } = resolveIpfsEndpoints(
        { url: env.FEDSTR_IPFS_URL, api: env.FEDSTR_IPFS_API, gateway: env.FEDSTR_IPFS_GATEWAY },
        IPFS_ENV_NAMES,
      );
      return new IpfsHttpStore({ url: apiUrl, gatewayUrl, ...limits });
    }
    case "pinata":
      return new PinataStore({
        jwt: need(env, "PINATA_JWT"),
        gateway: need(env, "PINATA_GATEWAY"),
        ...(env.PINATA_GATEWAY_KEY != null && env.PINATA_GATEWAY_KEY !== ""
          ? { gatewayKey: env.PINATA_GATEWAY_KEY }
          : {}),
        ...limits,
      });
    case "gateway":
      return new GatewayStore({ gatewayUrl: need(env, "FEDSTR_IPFS_GATEWAY"), ...limits });
    case "helia":
      return await HeliaStore.open({ dataDir: need(env, "FEDSTR_IPFS_DIR"), ...limits });
    default:
      throw new Error(`FEDSTR_STORAGE=${kind} is not one of ipfs, pinata, gateway, helia`);
  }
}
