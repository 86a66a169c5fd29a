/**
 * A pool whose artefacts live on a stock Kubo node instead of the embedded IPFS node: the real
 * program on the localnet, the embedded relay, separate `fedstr` and `fedstr-aggregator` processes,
 * all told Kubo's RPC API and gateway (two ports) through the configuration's environment form
 * (FEDSTR_IPFS_API + FEDSTR_IPFS_GATEWAY beat the localnet config file's embedded node).
 */

import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { GatewayStore, IpfsHttpStore, type StorageError, sha256Hex } from "@fedstr/sdk/storage";
import { expect } from "chai";
import { runJson } from "../../scripts/lib/actors.js";
import { type KuboNode, startKubo } from "../storage/kubo-node.js";
import { createPool, join_, type Market, openRound1, startAggregator, startMarket, startTrainer } from "./market.js";

const TOKEN = 1_000_000n; // the localnet mint has 6 decimals

describe("end to end: a pool with a stock Kubo node as the store (separate client and aggregator processes)", function () {
  this.timeout(600_000);
  let m: Market;
  let kubo: KuboNode;
  before(async () => {
    kubo = await startKubo();
    m = await startMarket(
      mkdtempSync(join(tmpdir(), "fedstr-e2e-kubo-")),
      ["organization", "aggregator", "p1", "p2"],
      2,
    );
    m.env = { ...m.env, FEDSTR_IPFS_API: kubo.api, FEDSTR_IPFS_GATEWAY: kubo.gateway };
  });
  after(async () => {
    await m?.stop();
    await kubo?.stop();
  });

  it("trains a round through Kubo: plan, model and updates on Kubo, round posted with both participants, rewards paid", async () => {
    const { pool } = await createPool(m, "aggregator", {
      rounds: 1,
      roundSeconds: 14,
      joinSeconds: 300,
      graceSeconds: 12,
      claimSeconds: 600,
      maxParticipants: 2,
    });
    await Promise.all(["p1", "p2"].map((p) => join_(m, pool, p)));
    const trainers = ["p1", "p2"].map((p, i) => startTrainer(m, pool, p, i));
    const aggregator = startAggregator(m, pool, "aggregator");
    await openRound1(m, pool, trainers, aggregator);
    const line = await aggregator.waitFor((l) => l.event === "round-posted" && l.round === 1);
    expect(await aggregator.exited).to.equal(0);
    for (const t of trainers) expect(await t.exited).to.equal(0);
    expect(line.accepted).to.have.members([
      m.net.wallets.p1!.publicKey.toBase58(),
      m.net.wallets.p2!.publicKey.toBase58(),
    ]);
    expect(line.rejected).to.have.length(0);

    // The new global model is on Kubo (verified read through its gateway) and not on the embedded node.
    const model = line.model as { cid: string; sha256: string };
    const onKubo = await new GatewayStore({ gatewayUrl: kubo.gateway }).get(model.cid);
    expect(sha256Hex(onKubo)).to.equal(model.sha256);
    let embedded: unknown;
    try {
      await new IpfsHttpStore({ url: m.net.ipfsUrl }).get(model.cid);
    } catch (e) {
      embedded = e;
    }
    expect((embedded as StorageError | undefined)?.code, "the embedded node was not used").to.equal("NOT_FOUND");

    const claims = await Promise.all(
      ["p1", "p2"].map((p) => runJson<{ total: string }>("fedstr", ["claim", pool, ...m.wallet(p)], { env: m.env })),
    );
    expect(claims.reduce((s, c) => s + BigInt(c.total), 0n)).to.equal(100n * TOKEN);
  });
});
