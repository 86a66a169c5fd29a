/**
 * @fedstr/sdk/config — where a fedstr process finds the chain, the relays, the IPFS store and its
 * wallet. The same binaries run on the embedded localnet, devnet or mainnet: only this changes.
 *
 * Precedence: command-line flags > environment > config file > defaults. The config file is
 * `--config <file>`, else `$FEDSTR_CONFIG`, else `./fedstr.config.json`, else the file
 * `npm run localnet` writes (`.fedstr/localnet/config.json` under the working directory).
 */
import { existsSync, readFileSync } from "node:fs";
import { homedir } from "node:os";
import { dirname, join, resolve } from "node:path";
import { ed25519 } from "@noble/curves/ed25519";
import { type Commitment, Connection, Keypair, PublicKey } from "@solana/web3.js";
import { getPublicKey } from "nostr-tools/pure";
import { SOLANA_CLUSTERS, type SolanaCluster } from "../nostr/kinds.js";
import { nostrKeyFromWalletSignature, walletNostrKeyMessage } from "../nostr/wallet-key.js";
import {
  IPFS_ENV_NAMES,
  IPFS_FLAG_NAMES,
  IpfsEndpointError,
  type IpfsEndpointNames,
  type IpfsEndpointSettings,
  ipfsBaseUrl,
  namesIpfsEndpoint,
  resolveIpfsEndpoints,
} from "../storage/endpoints.js";
import { storeFromEnv } from "../storage/env.js";
import type { ContentStore } from "../storage/types.js";

export const LOCALNET_CONFIG_PATH = ".fedstr/localnet/config.json";
export const DEFAULT_WALLET_PATH = join(homedir(), ".config/solana/id.json");

export {
  IpfsEndpointError,
  type IpfsEndpointSettings,
  type IpfsEndpoints,
  KUBO_DEFAULT_API_URL,
  KUBO_DEFAULT_GATEWAY_URL,
  resolveIpfsEndpoints,
} from "../storage/endpoints.js";

/**
 * How content is stored: an IPFS node (writes through its RPC `api`, reads through its `gateway`:
 * the same URL for the embedded node, two ports for Kubo), Pinata, a read-only gateway, or an
 * in-process Helia node.
 */
export type StorageConfig =
  | { kind: "ipfs"; api: string; gateway: string }
  | { kind: "pinata"; jwt: string; gateway: string; gatewayKey?: string }
  | { kind: "gateway"; url: string }
  | { kind: "helia"; dir: string };

export interface FedstrConfig {
  cluster: SolanaCluster;
  rpcUrl: string;
  /** WebSocket endpoint; web3.js derives rpc port + 1 when absent. */
  wsUrl?: string;
  programId: PublicKey;
  relays: string[];
  storage: StorageConfig;
  /** The reward/stake token mint to use when a command is not told one (localnet: the test mint). */
  mint?: PublicKey;
  /** Path of the Solana keypair file (the Solana CLI's format: a JSON array of 64 bytes). */
  wallet: string;
  /** Path of a file with the Nostr secret key (64 hex chars); absent: derived from the wallet (see nostrKeyFromWallet). */
  nostrKey?: string;
  /** Where commands keep their state (checkpoints, downloaded models). */
  dataDir: string;
  commitment: Commitment;
  /** The file the config was read from, if any. */
  source?: string;
}

export class ConfigError extends Error {
  override name = "ConfigError";
}

/** What the config file may hold (all optional; paths relative to the file). */
export interface ConfigFile {
  cluster?: string;
  rpcUrl?: string;
  wsUrl?: string;
  programId?: string;
  relays?: string[];
  /** ipfs: `url` (one node serving both) or `api` + `gateway` (Kubo); gateway: `gateway` (or `url`); pinata: `jwt`, `gateway`, `gatewayKey`; helia: `dir`. */
  storage?: {
    kind?: string;
    url?: string;
    api?: string;
    jwt?: string;
    gateway?: string;
    gatewayKey?: string;
    dir?: string;
  };
  mint?: string;
  wallet?: string;
  nostrKey?: string;
  dataDir?: string;
  commitment?: string;
}

/** Command-line values (undefined = not given). */
export interface ConfigFlags {
  config?: string;
  cluster?: string;
  rpcUrl?: string;
  wsUrl?: string;
  programId?: string;
  relays?: string[];
  ipfsUrl?: string;
  ipfsApi?: string;
  ipfsGateway?: string;
  mint?: string;
  wallet?: string;
  nostrKey?: string;
  dataDir?: string;
}

const FILE_KEYS = new Set([
  "cluster",
  "rpcUrl",
  "wsUrl",
  "programId",
  "relays",
  "storage",
  "mint",
  "wallet",
  "nostrKey",
  "dataDir",
  "commitment",
]);
const COMMITMENTS = ["processed", "confirmed", "finalized"];
const STORAGE_KEYS = new Set(["kind", "url", "api", "gateway", "jwt", "gatewayKey", "dir"]);

function publicKey(value: string, what: string): PublicKey {
  try {
    return new PublicKey(value);
  } catch {
    throw new ConfigError(`${what} is not a Solana address: ${JSON.stringify(value)}`);
  }
}

function url(value: string, what: string, protocols: string[]): string {
  let u: URL;
  try {
    u = new URL(value);
  } catch {
    throw new ConfigError(`${what} is not a URL: ${JSON.stringify(value)}`);
  }
  if (!protocols.includes(u.protocol))
    throw new ConfigError(
      `${what} must be a ${protocols.map((p) => p.replace(":", "://")).join(" or ")} URL, got ${JSON.stringify(value)}`,
    );
  return value;
}

function readConfigFile(path: string): ConfigFile {
  let raw: unknown;
  try {
    raw = JSON.parse(readFileSync(path, "utf8"));
  } catch (e) {
    throw new ConfigError(`config file ${path}: ${(e as Error).message}`);
  }
  if (raw === null || typeof raw !== "object" || Array.isArray(raw))
    throw new ConfigError(`config file ${path} must hold a JSON object`);
  for (const k of Object.keys(raw))
    if (!FILE_KEYS.has(k))
      throw new ConfigError(
        `config file ${path}: unknown key ${JSON.stringify(k)} (known: ${[...FILE_KEYS].join(", ")})`,
      );
  const f = raw as ConfigFile;
  const base = dirname(resolve(path));
  const rel = (p: unknown, key: string): string | undefined => {
    if (p === undefined) return undefined;
    if (typeof p !== "string" || p === "")
      throw new ConfigError(`config file ${path}: ${key} must be a non-empty string`);
    return resolve(base, p);
  };
  const out: ConfigFile = {
    ...f,
    wallet: rel(f.wallet, "wallet"),
    nostrKey: rel(f.nostrKey, "nostrKey"),
    dataDir: rel(f.dataDir, "dataDir"),
  };
  if (f.storage !== undefined) {
    if (f.storage === null || typeof f.storage !== "object" || Array.isArray(f.storage))
      throw new ConfigError(`config file ${path}: storage must be an object`);
    for (const [k, v] of Object.entries(f.storage)) {
      if (!STORAGE_KEYS.has(k))
        throw new ConfigError(`config file ${path}: unknown key storage.${k} (known: ${[...STORAGE_KEYS].join(", ")})`);
      if (typeof v !== "string") throw new ConfigError(`config file ${path}: storage.${k} must be a string`);
    }
  }
  if (f.storage?.dir !== undefined) out.storage = { ...f.storage, dir: rel(f.storage.dir, "storage.dir") };
  if (f.relays !== undefined && (!Array.isArray(f.relays) || f.relays.some((r) => typeof r !== "string")))
    throw new ConfigError(`config file ${path}: relays must be an array of URLs`);
  return out;
}

/** Find the config file to read (see the module comment), or undefined. */
export function findConfigFile(
  flags: ConfigFlags = {},
  env: NodeJS.ProcessEnv = process.env,
  cwd = process.cwd(),
): string | undefined {
  const explicit = flags.config ?? env.FEDSTR_CONFIG;
  if (explicit !== undefined && explicit !== "") {
    if (!existsSync(explicit)) throw new ConfigError(`config file ${explicit} does not exist`);
    return resolve(cwd, explicit);
  }
  for (const candidate of ["fedstr.config.json", LOCALNET_CONFIG_PATH]) {
    const p = join(cwd, candidate);
    if (existsSync(p)) return p;
  }
  return undefined;
}

const pick = <T>(...vs: (T | undefined)[]): T | undefined => vs.find((v) => v !== undefined && v !== "");

/** Who a process is: its wallet file and Nostr key file, the part of a FedstrConfig that needs no relay, IPFS node or chain. */
export type IdentityConfig = Pick<FedstrConfig, "wallet" | "nostrKey" | "source">;

function identityOf(
  flags: ConfigFlags,
  env: NodeJS.ProcessEnv,
  cwd: string,
  file: ConfigFile,
  source: string | undefined,
): IdentityConfig {
  const nostrKey = pick(flags.nostrKey, env.FEDSTR_NOSTR_KEY, file.nostrKey);
  return {
    wallet: resolve(cwd, pick(flags.wallet, env.FEDSTR_WALLET, file.wallet) ?? DEFAULT_WALLET_PATH),
    ...(nostrKey !== undefined ? { nostrKey: resolve(cwd, nostrKey) } : {}),
    ...(source !== undefined ? { source } : {}),
  };
}

/** The wallet and Nostr key only (same precedence as loadConfig), for commands that talk to no relay, store or chain. */
export function loadIdentityConfig(
  flags: ConfigFlags = {},
  env: NodeJS.ProcessEnv = process.env,
  cwd = process.cwd(),
): IdentityConfig {
  const source = findConfigFile(flags, env, cwd);
  return identityOf(flags, env, cwd, source !== undefined ? readConfigFile(source) : {}, source);
}

/** Merge flags, environment, config file and defaults into a validated FedstrConfig. */
export function loadConfig(
  flags: ConfigFlags = {},
  env: NodeJS.ProcessEnv = process.env,
  cwd = process.cwd(),
): FedstrConfig {
  const source = findConfigFile(flags, env, cwd);
  const file: ConfigFile = source !== undefined ? readConfigFile(source) : {};
  const envList = (v: string | undefined) =>
    v === undefined || v === ""
      ? undefined
      : v
          .split(",")
          .map((s) => s.trim())
          .filter(Boolean);

  const cluster = pick(flags.cluster, env.FEDSTR_CLUSTER, file.cluster) ?? "localnet";
  if (!(SOLANA_CLUSTERS as readonly string[]).includes(cluster))
    throw new ConfigError(`cluster must be one of ${SOLANA_CLUSTERS.join(", ")}, got ${JSON.stringify(cluster)}`);
  const rpcUrl = url(pick(flags.rpcUrl, env.FEDSTR_RPC_URL, file.rpcUrl) ?? "http://127.0.0.1:8899", "rpc URL", [
    "http:",
    "https:",
  ]);
  const wsRaw = pick(flags.wsUrl, env.FEDSTR_WS_URL, file.wsUrl);
  const programId = pick(flags.programId, env.FEDSTR_PROGRAM_ID, file.programId);
  const relays = (
    pick(flags.relays?.length ? flags.relays : undefined, envList(env.FEDSTR_RELAYS), file.relays) ?? []
  ).map((r) => url(r, "relay", ["ws:", "wss:"]));
  if (relays.length === 0)
    throw new ConfigError(
      "no Nostr relay configured: pass --relay <ws://...>, set FEDSTR_RELAYS, or run `npm run localnet` first",
    );
  const mint = pick(flags.mint, env.FEDSTR_MINT, file.mint);
  const commitment = pick(env.FEDSTR_COMMITMENT, file.commitment) ?? "confirmed";
  if (!COMMITMENTS.includes(commitment))
    throw new ConfigError(`commitment must be one of ${COMMITMENTS.join(", ")}, got ${JSON.stringify(commitment)}`);

  // Storage: a flag or FEDSTR_* variables beat the file; storeFromEnv's variables are the env form.
  // The IPFS API and gateway are read together from the first of flags, environment and config file
  // that names either, so one source never mixes with another's node.
  let storage: StorageConfig;
  const fs = file.storage ?? {};
  const fileNames = (k: string) => `storage.${k} in ${source ?? "the config file"}`;
  const layers: { settings: IpfsEndpointSettings; names: IpfsEndpointNames; fromFile: boolean }[] = [
    {
      settings: { url: flags.ipfsUrl, api: flags.ipfsApi, gateway: flags.ipfsGateway },
      names: IPFS_FLAG_NAMES,
      fromFile: false,
    },
    {
      settings: { url: env.FEDSTR_IPFS_URL, api: env.FEDSTR_IPFS_API, gateway: env.FEDSTR_IPFS_GATEWAY },
      names: IPFS_ENV_NAMES,
      fromFile: false,
    },
    ...(fs.kind === undefined || fs.kind === "ipfs" || fs.kind === "gateway"
      ? [
          {
            settings: { url: fs.url, api: fs.api, gateway: fs.gateway },
            names: { url: fileNames("url"), api: fileNames("api"), gateway: fileNames("gateway") },
            fromFile: true,
          },
        ]
      : []),
  ];
  const endpoints = layers.find((l) => namesIpfsEndpoint(l.settings));
  const namesApi = endpoints !== undefined && pick(endpoints.settings.url, endpoints.settings.api) !== undefined;
  const kind =
    pick(
      env.FEDSTR_STORAGE,
      endpoints?.fromFile === false && namesApi ? "ipfs" : undefined,
      env.PINATA_JWT ? "pinata" : undefined,
      fs.kind,
      endpoints !== undefined ? (namesApi ? "ipfs" : "gateway") : undefined,
    ) ?? "ipfs";
  const endpointError = (e: unknown): unknown => (e instanceof IpfsEndpointError ? new ConfigError(e.message) : e);
  switch (kind) {
    case "ipfs": {
      if (endpoints === undefined) {
        throw new ConfigError(
          "no IPFS node configured: pass --ipfs-url (the embedded node) or --ipfs-api with --ipfs-gateway (Kubo: http://127.0.0.1:5001 and http://127.0.0.1:8080), set FEDSTR_IPFS_URL or FEDSTR_IPFS_API with FEDSTR_IPFS_GATEWAY, or run `npm run localnet` first",
        );
      }
      try {
        const { apiUrl, gatewayUrl } = resolveIpfsEndpoints(endpoints.settings, endpoints.names);
        storage = { kind: "ipfs", api: apiUrl, gateway: gatewayUrl };
      } catch (e) {
        if (e instanceof IpfsEndpointError && !namesApi) {
          throw new ConfigError(
            `${e.message} (the IPFS API and gateway are read together from the first of flags, environment and config file that names either)`,
          );
        }
        throw endpointError(e);
      }
      break;
    }
    case "pinata": {
      const jwt = pick(env.PINATA_JWT, fs.jwt),
        gateway = pick(env.PINATA_GATEWAY, fs.gateway);
      if (jwt === undefined || gateway === undefined)
        throw new ConfigError(
          "storage pinata needs PINATA_JWT and PINATA_GATEWAY (or jwt and gateway in the config file)",
        );
      const gatewayKey = pick(env.PINATA_GATEWAY_KEY, fs.gatewayKey);
      storage = { kind: "pinata", jwt, gateway, ...(gatewayKey !== undefined ? { gatewayKey } : {}) };
      break;
    }
    case "gateway": {
      const u = pick(
        flags.ipfsGateway,
        env.FEDSTR_IPFS_GATEWAY,
        fs.kind === "gateway" || fs.kind === undefined ? pick(fs.gateway, fs.url) : undefined,
      );
      if (u === undefined)
        throw new ConfigError(
          "storage gateway needs --ipfs-gateway or FEDSTR_IPFS_GATEWAY (or storage.gateway in the config file)",
        );
      try {
        storage = { kind: "gateway", url: ipfsBaseUrl(u, "IPFS gateway", "gateway") };
      } catch (e) {
        throw endpointError(e);
      }
      break;
    }
    case "helia": {
      const dir = pick(env.FEDSTR_IPFS_DIR, fs.dir);
      if (dir === undefined)
        throw new ConfigError("storage helia needs FEDSTR_IPFS_DIR (or storage.dir in the config file)");
      storage = { kind: "helia", dir };
      break;
    }
    default:
      throw new ConfigError(`storage must be one of ipfs, pinata, gateway, helia, got ${JSON.stringify(kind)}`);
  }

  const identity = identityOf(flags, env, cwd, file, source);
  return {
    cluster: cluster as SolanaCluster,
    rpcUrl,
    ...(wsRaw !== undefined ? { wsUrl: url(wsRaw, "WebSocket URL", ["ws:", "wss:"]) } : {}),
    programId: publicKey(programId ?? "HPL8rLF6dDMnKundRabHm7BUGdDdEUUV6vmYpurC3gps", "program id"),
    relays,
    storage,
    ...(mint !== undefined ? { mint: publicKey(mint, "mint") } : {}),
    ...identity,
    dataDir: resolve(
      cwd,
      pick(flags.dataDir, env.FEDSTR_DATA_DIR, file.dataDir) ?? join(homedir(), ".local/share/fedstr"),
    ),
    commitment: commitment as Commitment,
  };
}

/** A web3.js Connection for the config (confirmed commitment unless configured otherwise). */
export function connectionFor(config: FedstrConfig): Connection {
  return new Connection(config.rpcUrl, {
    commitment: config.commitment,
    ...(config.wsUrl !== undefined ? { wsEndpoint: config.wsUrl } : {}),
  });
}

/** The ContentStore the config names. */
export async function storeFor(config: FedstrConfig): Promise<ContentStore> {
  const s = config.storage;
  const env: Record<string, string | undefined> = { FEDSTR_STORAGE: s.kind };
  if (s.kind === "ipfs") Object.assign(env, { FEDSTR_IPFS_API: s.api, FEDSTR_IPFS_GATEWAY: s.gateway });
  if (s.kind === "pinata")
    Object.assign(env, { PINATA_JWT: s.jwt, PINATA_GATEWAY: s.gateway, PINATA_GATEWAY_KEY: s.gatewayKey });
  if (s.kind === "gateway") env.FEDSTR_IPFS_GATEWAY = s.url;
  if (s.kind === "helia") env.FEDSTR_IPFS_DIR = s.dir;
  for (const k of ["FEDSTR_MAX_CONTENT_BYTES", "FEDSTR_STORAGE_TIMEOUT_MS"]) env[k] = process.env[k];
  return await storeFromEnv(env);
}

/** Read a Solana CLI keypair file (JSON array of 64 bytes), with errors that name the file. */
export function loadKeypair(path: string): Keypair {
  let raw: unknown;
  try {
    raw = JSON.parse(readFileSync(path, "utf8"));
  } catch (e) {
    const err = e as NodeJS.ErrnoException;
    if (err.code === "ENOENT")
      throw new ConfigError(
        `wallet ${path} does not exist (give one with --wallet, or create it with solana-keygen new)`,
      );
    throw new ConfigError(`wallet ${path} is not a keypair file: ${err.message}`);
  }
  if (!Array.isArray(raw) || raw.length !== 64 || raw.some((b) => !Number.isInteger(b) || b < 0 || b > 255)) {
    throw new ConfigError(`wallet ${path} must hold a JSON array of 64 bytes (the Solana CLI keypair format)`);
  }
  try {
    return Keypair.fromSecretKey(Uint8Array.from(raw as number[]));
  } catch (e) {
    throw new ConfigError(`wallet ${path}: ${(e as Error).message}`);
  }
}

/**
 * A Nostr secret key bound to this wallet when no key file is configured, so a participant keeps
 * one Nostr identity across restarts without another file to lose. It is made exactly as the web
 * app makes it from a browser wallet (nostr/wallet-key: sha256 of the wallet's deterministic
 * ed25519 signature of a fixed message), so one wallet has one Nostr identity in the CLI and in
 * the browser; the key `join_pool` records on chain works for both. The identity binding
 * (nostr/binding) still proves the link publicly.
 */
export function nostrKeyFromWallet(wallet: Keypair): Uint8Array {
  const signature = ed25519.sign(walletNostrKeyMessage(), wallet.secretKey.subarray(0, 32));
  return nostrKeyFromWalletSignature(signature).secretKey;
}

/** The configured Nostr secret key (file of 64 hex chars), or the wallet-derived one. */
export function loadNostrKey(
  config: Pick<FedstrConfig, "nostrKey">,
  wallet: Keypair,
): { secretKey: Uint8Array; pubkey: string } {
  let secretKey: Uint8Array;
  if (config.nostrKey !== undefined) {
    let hex: string;
    try {
      hex = readFileSync(config.nostrKey, "utf8").trim();
    } catch (e) {
      throw new ConfigError(`nostr key ${config.nostrKey}: ${(e as Error).message}`);
    }
    if (!/^[0-9a-f]{64}$/i.test(hex)) throw new ConfigError(`nostr key ${config.nostrKey} must hold 64 hex characters`);
    secretKey = Uint8Array.from(Buffer.from(hex, "hex"));
  } else secretKey = nostrKeyFromWallet(wallet);
  return { secretKey, pubkey: getPublicKey(secretKey) };
}
