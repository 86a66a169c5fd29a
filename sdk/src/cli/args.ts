/**
 * Command-line parsing shared by `fedstr` and `fedstr-aggregator`: node:util's parseArgs plus the
 * configuration flags every command takes (see @fedstr/sdk/config), with errors that say which
 * flag was wrong.
 */
import { type ParseArgsConfig, parseArgs } from "node:util";
import type { ConfigFlags } from "../config/index.js";
import { AmountError, formatAmount, parseAmount } from "../job/amount.js";

/** A usage mistake (bad flag, missing argument): exit status 2. */
export class UsageError extends Error {
  override name = "UsageError";
}

type Options = NonNullable<ParseArgsConfig["options"]>;

/** Flags every command accepts. */
export const COMMON_OPTIONS = {
  json: { type: "boolean" },
  help: { type: "boolean", short: "h" },
  config: { type: "string" },
  cluster: { type: "string" },
  "rpc-url": { type: "string" },
  "ws-url": { type: "string" },
  "program-id": { type: "string" },
  relay: { type: "string", multiple: true },
  "ipfs-url": { type: "string" },
  "ipfs-api": { type: "string" },
  "ipfs-gateway": { type: "string" },
  mint: { type: "string" },
  wallet: { type: "string" },
  "nostr-key": { type: "string" },
  "data-dir": { type: "string" },
} as const satisfies Options;

export const COMMON_HELP = `Common flags:
  --json                 machine-readable output (one JSON document on stdout)
  --config <file>        config file (default: $FEDSTR_CONFIG, ./fedstr.config.json, .fedstr/localnet/config.json)
  --cluster <name>       localnet | devnet | testnet | mainnet-beta
  --rpc-url <url>        Solana JSON-RPC endpoint          (env FEDSTR_RPC_URL)
  --ws-url <url>         Solana WebSocket endpoint         (env FEDSTR_WS_URL)
  --program-id <addr>    fedstr program id                 (env FEDSTR_PROGRAM_ID)
  --relay <url>          Nostr relay, repeatable           (env FEDSTR_RELAYS, comma-separated)
  --ipfs-url <url>       IPFS node serving API and gateway on one URL, e.g. the embedded node (env FEDSTR_IPFS_URL)
  --ipfs-api <url>       IPFS RPC API, e.g. Kubo's http://127.0.0.1:5001   (env FEDSTR_IPFS_API; needs --ipfs-gateway)
  --ipfs-gateway <url>   IPFS gateway, e.g. Kubo's http://127.0.0.1:8080  (env FEDSTR_IPFS_GATEWAY; alone: read-only)
                         (Pinata: env PINATA_JWT + PINATA_GATEWAY)
  --mint <addr>          token mint                        (env FEDSTR_MINT)
  --wallet <file>        Solana keypair file               (env FEDSTR_WALLET, default ~/.config/solana/id.json)
  --nostr-key <file>     Nostr secret key (hex) file       (default: derived from the wallet)
  --data-dir <dir>       state directory                   (env FEDSTR_DATA_DIR, default ~/.local/share/fedstr)`;

export interface Parsed<O extends Options> {
  values: {
    [K in keyof O | keyof typeof COMMON_OPTIONS]?: K extends keyof O
      ? O[K] extends { multiple: true }
        ? string[]
        : O[K] extends { type: "boolean" }
          ? boolean
          : string
      : K extends keyof typeof COMMON_OPTIONS
        ? (typeof COMMON_OPTIONS)[K] extends { multiple: true }
          ? string[]
          : (typeof COMMON_OPTIONS)[K] extends { type: "boolean" }
            ? boolean
            : string
        : never;
  };
  positionals: string[];
}

/** Parse `argv` with the command's own options plus COMMON_OPTIONS; unknown flags are usage errors. */
export function parseCommand<O extends Options>(
  argv: string[],
  options: O,
  positionals: { min?: number; max?: number; usage?: string } = {},
): Parsed<O> {
  let r;
  try {
    r = parseArgs({ args: argv, options: { ...COMMON_OPTIONS, ...options }, allowPositionals: true, strict: true });
  } catch (e) {
    throw new UsageError((e as Error).message.replace(/^TypeError \[[A-Z_]+\]: /, ""));
  }
  const n = r.positionals.length;
  if (
    !(r.values as { help?: boolean }).help &&
    ((positionals.min !== undefined && n < positionals.min) || (positionals.max !== undefined && n > positionals.max))
  ) {
    throw new UsageError(
      `expected ${positionals.usage ?? `${positionals.min ?? 0}..${positionals.max ?? "∞"} arguments`}, got ${n === 0 ? "none" : r.positionals.map((p) => JSON.stringify(p)).join(" ")}`,
    );
  }
  return r as unknown as Parsed<O>;
}

/** The config-related flags of a parsed command, for loadConfig. */
export function configFlags(values: Record<string, unknown>): ConfigFlags {
  const s = (k: string) => values[k] as string | undefined;
  return {
    config: s("config"),
    cluster: s("cluster"),
    rpcUrl: s("rpc-url"),
    wsUrl: s("ws-url"),
    programId: s("program-id"),
    relays: values.relay as string[] | undefined,
    ipfsUrl: s("ipfs-url"),
    ipfsApi: s("ipfs-api"),
    ipfsGateway: s("ipfs-gateway"),
    mint: s("mint"),
    wallet: s("wallet"),
    nostrKey: s("nostr-key"),
    dataDir: s("data-dir"),
  };
}

/** A positive integer flag value; errors name the flag. */
export function intFlag(
  value: string | undefined,
  flag: string,
  opts: { min?: number; max?: number } = {},
): number | undefined {
  if (value === undefined) return undefined;
  const n = Number(value);
  const min = opts.min ?? 1,
    max = opts.max ?? Number.MAX_SAFE_INTEGER;
  if (!/^-?[0-9]+$/.test(value) || !Number.isSafeInteger(n) || n < min || n > max)
    throw new UsageError(`--${flag} must be an integer from ${min} to ${max}, got ${JSON.stringify(value)}`);
  return n;
}

/**
 * A token amount in base units from a decimal string with up to `decimals` fraction digits
 * ("1.5" with 6 decimals = 1500000n); errors name the flag.
 */
export function amountFlag(value: string | undefined, flag: string, decimals: number): bigint | undefined {
  if (value === undefined) return undefined;
  try {
    return parseAmount(value, decimals);
  } catch (e) {
    if (e instanceof AmountError) throw new UsageError(`--${flag} ${e.message}`);
    throw e;
  }
}

export { formatAmount };
