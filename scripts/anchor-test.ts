/**
 * Anchor.toml's test script, what `anchor test --skip-build --skip-deploy` runs: the program suite
 * (tests/program, the same mocha files CI runs in LiteSVM) against the project's local network at
 * ANCHOR_PROVIDER_URL, paid by ANCHOR_WALLET, both as anchor test sets them.
 * - Nothing answers at ANCHOR_PROVIDER_URL: fedstr-localnet (the demo's local network, Surfpool
 *   with target/deploy/fedstr.so and SPL Token) is started there for the run and stopped after it.
 * - A validator answers (e.g. `npm run localnet` in another terminal): the suite runs against it.
 * ANCHOR_WALLET is created if the file is missing (as `solana-keygen new` would) and given SOL.
 * The exit status is mocha's. Arguments after `anchor test … --` are passed on to mocha.
 */
import { spawn } from "node:child_process";
import { existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { Connection, Keypair, LAMPORTS_PER_SOL } from "@solana/web3.js";
import { type LocalnetHandle, startLocalnet } from "../localnet/index.js";

const REPO = join(dirname(fileURLToPath(import.meta.url)), "..");
const PAYER_SOL = 10_000;

function fail(message: string): never {
  process.stderr.write(`anchor-test: ${message}\n`);
  process.exit(1);
}

const url = process.env.ANCHOR_PROVIDER_URL;
const walletFile = process.env.ANCHOR_WALLET;
if (!url || !walletFile)
  fail(
    'ANCHOR_PROVIDER_URL and ANCHOR_WALLET are not set: run this through `anchor test --skip-build --skip-deploy` (README, "Testing with anchor test")',
  );
let endpoint: URL;
try {
  endpoint = new URL(url);
} catch {
  fail(`ANCHOR_PROVIDER_URL is not a URL: ${JSON.stringify(url)}`);
}

let payer: Keypair;
if (existsSync(walletFile)) {
  try {
    payer = Keypair.fromSecretKey(Uint8Array.from(JSON.parse(readFileSync(walletFile, "utf8")) as number[]));
  } catch (e) {
    fail(`ANCHOR_WALLET ${walletFile} is not a Solana keypair file: ${(e as Error).message}`);
  }
} else {
  payer = Keypair.generate();
  mkdirSync(dirname(walletFile), { recursive: true });
  writeFileSync(walletFile, JSON.stringify(Array.from(payer.secretKey)), { mode: 0o600 });
  process.stderr.write(`anchor-test: created the wallet ${walletFile} (${payer.publicKey.toBase58()})\n`);
}

const connection = new Connection(url, "confirmed");
const running = await connection.getVersion().then(
  () => true,
  () => false,
);
let net: LocalnetHandle | undefined;
if (!running) {
  const local = endpoint.hostname === "127.0.0.1" || endpoint.hostname === "localhost";
  if (!local || endpoint.protocol !== "http:" || endpoint.port === "")
    fail(`nothing answers at ${url}, and it is not an http://127.0.0.1:<port> address to start the local network on`);
  process.stderr.write(`anchor-test: starting the local network (fedstr-localnet) at ${url}\n`);
  net = await startLocalnet({
    dir: join(REPO, ".fedstr", "anchor-test"),
    rpcPort: Number(endpoint.port),
    slotTimeMs: 100,
    wallets: ["anchor-test"],
  });
}

let code: number | null = 1;
try {
  const sig = await connection.requestAirdrop(payer.publicKey, PAYER_SOL * LAMPORTS_PER_SOL);
  await connection.confirmTransaction({ signature: sig, ...(await connection.getLatestBlockhash()) }, "confirmed");
  const mocha = spawn(
    process.execPath,
    [
      join(REPO, "node_modules/mocha/bin/mocha.js"),
      "--no-config",
      "-n",
      "import=tsx",
      "--extension",
      "ts",
      "--timeout",
      "600000",
      "--exit",
      "-R",
      join(REPO, "tests/support/reporter.cjs"),
      join(REPO, "tests/program/*.test.ts"),
      ...process.argv.slice(2),
    ],
    { cwd: REPO, stdio: "inherit", env: process.env },
  );
  code = await new Promise<number | null>((resolve) => mocha.on("close", resolve));
} finally {
  await net?.stop();
}
process.exit(code ?? 1);
