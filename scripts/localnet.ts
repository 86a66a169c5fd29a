/**
 * `npm run localnet`: the whole local network in one process — Solana JSON-RPC + WebSocket with the
 * fedstr program (fedstr-localnet / Surfpool), the Nostr relay and the IPFS node on loopback, funded
 * wallets with test tokens, and the config file every fedstr command reads. Runs until Ctrl-C/SIGTERM.
 * State is fresh at every start (the directory is wiped). See docs/localnet.md.
 */

import { relative, resolve } from "node:path";
import { parseArgs } from "node:util";
import { formatAmount, intFlag, type Output, runCommand, UsageError } from "@fedstr/sdk/cli";
import { LOCALNET_CONFIG_PATH } from "@fedstr/sdk/config";
import { DEFAULT_WALLETS, LocalnetError, type PortRole, startLocalnet } from "../localnet/index.js";
import { closeOnSignals } from "./service-cli.js";

const USAGE = `usage: npm run localnet -- [flags]

Starts a local Solana network with the fedstr program, a Nostr relay and an IPFS node on 127.0.0.1,
funds wallets with SOL and test tokens, writes <dir>/config.json and runs until Ctrl-C.

  --dir <dir>          state directory, wiped at start (default .fedstr/localnet)
  --rpc-port <n>       Solana JSON-RPC port; WebSocket = n + 1 (default 8899; 0 = any free port)
  --relay-port <n>     Nostr relay port (default 7447; 0 = any free port)
  --ipfs-port <n>      IPFS node port (default 5001; 0 = any free port)
  --slot-time <ms>     slot length (default 400)
  --wallets <a,b,c>    wallet names (default ${DEFAULT_WALLETS.join(",")}); the first is the config's wallet
  --sol <n>            SOL per wallet (default 1000)
  --tokens <n>         test tokens per wallet (default 1000000)
  --json               one JSON line with everything once ready (progress only with FEDSTR_LOG=1)
  -h, --help           this help`;

const PORT_FLAGS: Record<PortRole, string> = { rpc: "--rpc-port", relay: "--relay-port", ipfs: "--ipfs-port" };

async function main(argv: string[], out: Output): Promise<void> {
  let values;
  try {
    ({ values } = parseArgs({
      args: argv,
      strict: true,
      options: {
        dir: { type: "string", default: ".fedstr/localnet" },
        "rpc-port": { type: "string", default: "8899" },
        "relay-port": { type: "string", default: "7447" },
        "ipfs-port": { type: "string", default: "5001" },
        "slot-time": { type: "string", default: "400" },
        wallets: { type: "string" },
        sol: { type: "string", default: "1000" },
        tokens: { type: "string", default: "1000000" },
        json: { type: "boolean", default: false },
        help: { type: "boolean", short: "h", default: false },
      },
    }));
  } catch (e) {
    throw new UsageError((e as Error).message.replace(/^TypeError \[[A-Z_]+\]: /, ""));
  }
  if (values.help) {
    console.log(USAGE);
    return;
  }
  const port = (flag: string, v: string) => intFlag(v, flag, { min: 0, max: 65535 })!;
  const wallets = values.wallets
    ?.split(",")
    .map((w) => w.trim())
    .filter(Boolean);
  if (wallets !== undefined && wallets.length === 0) throw new UsageError("--wallets needs at least one name");

  const net = await startLocalnet({
    dir: values.dir,
    rpcPort: port("rpc-port", values["rpc-port"]),
    relayPort: port("relay-port", values["relay-port"]),
    ipfsPort: port("ipfs-port", values["ipfs-port"]),
    slotTimeMs: intFlag(values["slot-time"], "slot-time", { min: 10, max: 10_000 })!,
    solPerWallet: intFlag(values.sol, "sol", { min: 1, max: 1_000_000 })!,
    tokensPerWallet: intFlag(values.tokens, "tokens", { min: 0, max: 1_000_000_000_000 })!,
    ...(wallets ? { wallets } : {}),
    onLog: (line) => out.info(line),
  }).catch((e: unknown) => {
    if (e instanceof LocalnetError && e.busyPort) {
      throw new LocalnetError(
        `${e.message} — is another localnet (or service) running? Stop it or choose another port with ${PORT_FLAGS[e.busyPort.role]}`,
        e.busyPort,
      );
    }
    throw e;
  });
  closeOnSignals(() => net.stop());

  const tokens = formatAmount(BigInt(values.tokens) * 10n ** BigInt(net.mintDecimals), net.mintDecimals);
  const names = Object.keys(net.wallets);
  const width = Math.max(...names.map((n) => n.length));
  const rel = (p: string) => relative(process.cwd(), p) || ".";
  const human = [
    "fedstr localnet ready",
    `  RPC          ${net.rpcUrl}`,
    `  WebSocket    ${net.wsUrl}`,
    `  Nostr relay  ${net.relayUrl}`,
    `  IPFS         ${net.ipfsUrl}  (gateway ${net.ipfsUrl}/ipfs/<cid>)`,
    `  program      ${net.programId.toBase58()}`,
    `  mint         ${net.mint.toBase58()}  (${net.mintDecimals} decimals; authority ${rel(net.mintAuthority.path)})`,
    `  wallets      ${values.sol} SOL and ${tokens} tokens each`,
    ...names.map(
      (n) => `    ${n.padEnd(width)}  ${net.wallets[n]!.publicKey.toBase58()}  ${rel(net.wallets[n]!.path)}`,
    ),
    `  config       ${net.configPath}  (wallet: ${names[0]})`,
    "",
    net.configPath === resolve(LOCALNET_CONFIG_PATH)
      ? "fedstr commands run from this directory find the config by themselves; from elsewhere:"
      : "Point fedstr commands at it:",
    `  export FEDSTR_CONFIG=${net.configPath}`,
    "Other wallets: --wallet <file> or FEDSTR_WALLET=<file>. Ctrl-C stops everything (state is not kept).",
  ].join("\n");
  out.result(
    {
      rpcUrl: net.rpcUrl,
      wsUrl: net.wsUrl,
      relayUrl: net.relayUrl,
      ipfsUrl: net.ipfsUrl,
      programId: net.programId.toBase58(),
      mint: net.mint.toBase58(),
      mintDecimals: net.mintDecimals,
      mintAuthority: net.mintAuthority.path,
      wallets: Object.fromEntries(
        names.map((n) => {
          const w = net.wallets[n]!;
          return [n, { publicKey: w.publicKey.toBase58(), path: w.path, tokenAccount: w.tokenAccount?.toBase58() }];
        }),
      ),
      configPath: net.configPath,
      dir: net.dir,
      pid: process.pid,
      localnetPid: net.pid,
    },
    human,
  );
}

const argv = process.argv.slice(2);
await runCommand(argv, main);
if (process.exitCode) process.exit();
