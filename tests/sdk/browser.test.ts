// The SDK pieces the web app added: the wallet-derived Nostr key, token amounts as bigint text,
// the report-vs-chain check, and the browser entry points (no Node-only module reachable).

import { readFileSync } from "node:fs";
import { join } from "node:path";
import { nostrKeyFromWallet } from "@fedstr/sdk/config";
import { AmountError, formatAmount, parseAmount, type RoundReport, reportMismatch } from "@fedstr/sdk/job";
import {
  checkBinding,
  createBinding,
  nostrKeyFromWalletSignature,
  WALLET_NOSTR_KEY_MESSAGE,
  walletNostrKeyMessage,
} from "@fedstr/sdk/nostr";
import { ed25519 } from "@noble/curves/ed25519";
import { schnorr } from "@noble/curves/secp256k1";
import { Keypair } from "@solana/web3.js";
import { expect } from "chai";
import { REPO_ROOT } from "../../localnet/index.js";

describe("SDK for the web app", () => {
  describe("wallet-derived Nostr key", () => {
    const wallet = Keypair.fromSeed(new Uint8Array(32).fill(7));
    const sign = (m: Uint8Array) => ed25519.sign(m, wallet.secretKey.slice(0, 32));

    it("is the same key for every signature of the fixed message by one wallet, another for another wallet", () => {
      const a = nostrKeyFromWalletSignature(sign(walletNostrKeyMessage()));
      const b = nostrKeyFromWalletSignature(sign(walletNostrKeyMessage()));
      expect(a.pubkey)
        .to.equal(b.pubkey)
        .and.to.match(/^[0-9a-f]{64}$/);
      expect(a.pubkey).to.equal(Buffer.from(schnorr.getPublicKey(a.secretKey)).toString("hex"));
      const other = Keypair.fromSeed(new Uint8Array(32).fill(8));
      expect(
        nostrKeyFromWalletSignature(ed25519.sign(walletNostrKeyMessage(), other.secretKey.slice(0, 32))).pubkey,
      ).to.not.equal(a.pubkey);
    });

    it("is the key the CLI derives from the same wallet's keypair, so join_pool's recorded key serves both", () => {
      const app = nostrKeyFromWalletSignature(sign(walletNostrKeyMessage()));
      expect(Buffer.from(nostrKeyFromWallet(wallet)).toString("hex")).to.equal(
        Buffer.from(app.secretKey).toString("hex"),
      );
    });

    it("signs a message that names fedstr and says it is not a transaction, and refuses a wrong-length signature", () => {
      expect(WALLET_NOSTR_KEY_MESSAGE)
        .to.match(/^fedstr nostr key v1\n/)
        .and.to.include("not a transaction");
      expect(() => nostrKeyFromWalletSignature(new Uint8Array(63))).to.throw(/64 bytes, got 63/);
    });

    it("binds to the wallet with the solana binding", async () => {
      const k = nostrKeyFromWalletSignature(sign(walletNostrKeyMessage()));
      const binding = await createBinding(k.secretKey, { publicKey: wallet.publicKey.toBase58(), signMessage: sign });
      expect(checkBinding(binding)).to.equal(undefined);
      expect(binding.nostrPubkey).to.equal(k.pubkey);
    });
  });

  describe("token amounts", () => {
    it("parses decimal text to base units and formats them back, exactly", () => {
      expect(parseAmount("1.5", 6)).to.equal(1_500_000n);
      expect(parseAmount("18446744073709.551615", 6)).to.equal(0xffff_ffff_ffff_ffffn);
      expect(formatAmount(1_500_000n, 6)).to.equal("1.5");
      expect(formatAmount("18446744073709551615", 6)).to.equal("18446744073709.551615");
      expect(formatAmount(7n, 0)).to.equal("7");
    });
    it("names what is wrong with bad text", () => {
      expect(() => parseAmount("1.0000001", 6)).to.throw(
        AmountError,
        'must be a token amount with at most 6 decimals, got "1.0000001"',
      );
      expect(() => parseAmount("-1", 6)).to.throw(AmountError, /token amount/);
      expect(() => parseAmount("1e3", 6)).to.throw(AmountError, /token amount/);
      expect(() => parseAmount("18446744073709.551616", 6)).to.throw(AmountError, /does not fit in a u64/);
    });
  });

  describe("reportMismatch", () => {
    const hash = new Uint8Array(32).fill(1),
      root = new Uint8Array(32).fill(2);
    const report = {
      programId: "P",
      pool: "A",
      round: 2,
      model: { cid: "x", sha256: "01".repeat(32) },
      rewards: { root: "02".repeat(32) },
    } as unknown as RoundReport;
    const expected = { programId: "P", pool: "A", round: 2, result: { globalModelHash: hash, merkleRoot: root } };
    it("accepts the report the chain posted and names each difference otherwise", () => {
      expect(reportMismatch(report, expected)).to.equal(undefined);
      expect(reportMismatch(report, { ...expected, round: 3 })).to.equal("is for pool A round 2");
      expect(reportMismatch(report, { ...expected, programId: "Q" })).to.equal("is for program P");
      expect(reportMismatch(report, { ...expected, result: { globalModelHash: root, merkleRoot: root } })).to.match(
        /^names model 0101/,
      );
      expect(reportMismatch(report, { ...expected, result: { globalModelHash: hash, merkleRoot: hash } })).to.match(
        /^has reward root 0202/,
      );
    });
  });

  describe("browser entry points", () => {
    const pkg = JSON.parse(readFileSync(join(REPO_ROOT, "sdk/package.json"), "utf8")) as {
      exports: Record<string, string | { browser: string; default: string }>;
    };
    // Every module a browser entry reaches at run time, by following relative (non-type) imports.
    function reach(file: string, seen = new Set<string>()): Set<string> {
      if (seen.has(file)) return seen;
      seen.add(file);
      const src = readFileSync(file, "utf8");
      for (const m of src.matchAll(/(?:^|\n)(?:import|export)\s(?!type\s)[^'"]*?from\s+['"](\.[^'"]+)['"]/g))
        reach(join(file, "..", m[1]!.replace(/\.js$/, ".ts")), seen);
      return seen;
    }
    // Every entry the web app imports: its "browser" condition where it has one (the Node entry
    // adds Node-only parts), else the one file both share.
    for (const entry of ["./program", "./job", "./retry", "./privacy", "./fl", "./nostr", "./storage"]) {
      it(`${entry} reaches no Node-only module in a browser`, () => {
        const e = pkg.exports[entry];
        expect(e, `sdk/package.json exports ${entry}`).to.not.equal(undefined);
        if (["./fl", "./nostr", "./storage", "./job"].includes(entry))
          expect(e).to.be.an("object").with.property("browser");
        const files = reach(join(REPO_ROOT, "sdk", typeof e === "string" ? e : e!.browser));
        const nodeOnly = [...files].filter(
          (f) =>
            /(?:^|\n)import\s(?!type\s)[^'"]*?from\s+['"](node:|ws['"]|helia|pinata|blockstore-fs|datastore-fs|@nostr-relay|@tensorflow)/.test(
              readFileSync(f, "utf8"),
            ) || /[/](relay-server|helia|ipfs-node|pinata|env|backend|data)\.ts$/.test(f),
        );
        expect(nodeOnly.map((f) => f.slice(REPO_ROOT.length + 1))).to.deep.equal([]);
      });
    }
  });
});
