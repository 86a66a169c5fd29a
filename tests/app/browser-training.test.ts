/**
 * Training in the browser (issue 11), in the real chromium against the real local network: a
 * participant joins on the pool page, picks a data file, and trains two rounds in the tab (the
 * SDK's trainLocal in a Web Worker, WASM backend) next to two `fedstr train` processes, with the
 * real `fedstr-aggregator`. The chain clock is moved with timeTravel, never slept through.
 */

import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { decode, encode, hashBytes, loadJsonl, loadTf, toHex, trainLocal } from "@fedstr/sdk/fl";
import { chainTime, decodeRoundReport, type RoundReport, scheduleOf } from "@fedstr/sdk/job";
import { isSealed, keyFromHex, openUpdate } from "@fedstr/sdk/privacy";
import {
  cidFromBytes,
  fetchCommitmentsOfRound,
  fetchParticipant,
  fetchPool,
  findParticipantAddress,
  findUpdateCommitted,
  ParticipantStatus,
  PoolStatus,
} from "@fedstr/sdk/program";
import { PublicKey } from "@solana/web3.js";
import { expect } from "chai";
import { type RunningActor, runJson } from "../../scripts/lib/actors.js";
import { createPool, join_, openRound1, startAggregator, startTrainer } from "../e2e/market.js";
import { screenshot, seriousA11yViolations } from "../support/browser.js";
import { type AppUser, connectedLabel, log, useAppEnv } from "../support/browser-market.js";

const WALLETS = ["organization", "aggregator", "participant-1", "participant-2", "participant-3"];
const TOKEN = 1_000_000n; // the localnet mint has 6 decimals
const TX_METHODS = ["signTransaction", "signAndSendTransaction"] as const;
type Line = Record<string, unknown>;
const posted = (round: number) => (l: Line) => l.event === "round-posted" && l.round === round;
const txRequests = (u: AppUser) =>
  u.wallet.requests.filter((r) => (TX_METHODS as readonly string[]).includes(r.method));

interface Traffic {
  bodies: { url: string; body: Buffer }[];
  frames: string[];
}
/** Record every request body (page and worker) and every WebSocket frame a browser context sends, for the no-data-leaves check. */
function captureTraffic(u: AppUser, into: Traffic): void {
  u.context.on("request", (r) => {
    const b = r.postDataBuffer();
    if (b) into.bodies.push({ url: r.url(), body: b });
  });
  u.page.on("websocket", (ws) => ws.on("framesent", (f) => into.frames.push(String(f.payload))));
}

describe("training in the browser: chromium participant next to CLI participants on the real local network", function () {
  this.timeout(900_000);
  const env = useAppEnv(WALLETS, 3);
  let pool: string;
  let poolKey: PublicKey;
  const program = () => env.m.session("organization").program;
  const me = () => env.m.net.wallets["participant-1"]!.publicKey;
  // Each test's browser context closes after it (useAppEnv); what the participant's tabs sent is gathered here.
  const traffic: Traffic = { bodies: [], frames: [] };
  let u: AppUser;
  let balanceAtStart: bigint;

  before(async function () {
    this.timeout(120_000);
    ({ pool } = await createPool(env.m, "aggregator", {
      rounds: 2,
      roundSeconds: 90,
      joinSeconds: 3600,
      graceSeconds: 60,
      claimSeconds: 600,
      maxParticipants: 3,
    }));
    poolKey = new PublicKey(pool);
    await join_(env.m, pool, "participant-2");
    await join_(env.m, pool, "participant-3");
    balanceAtStart = await env.m.tokenBalance("participant-1");
  });

  /** Choose the WASM backend in the panel and wait until the worker has it (or say why not). */
  async function chooseWasm() {
    await u.page.getByTestId("train-backend").selectOption("wasm");
    const shown = u.page.getByTestId("train-backend-used");
    await u.page
      .locator('[data-testid="train-backend-used"][data-backend="wasm"]')
      .or(shown.filter({ hasText: "unavailable" }))
      .waitFor({ timeout: 60_000 });
    expect(
      await shown.getAttribute("data-backend"),
      `${await shown.textContent()} ${u.problems.errors.join("; ")}`,
    ).to.equal("wasm");
  }

  /** Pick the file in the panel (as a user does). */
  async function pickData(file: string) {
    await u.page.getByTestId("train-data").setInputFiles(file);
  }

  it("the participant joins on the pool page; a malformed data file is refused naming its line and field, and nothing is uploaded or committed", async function () {
    u = await env.user("participant-1", `/pools/${pool}`);
    captureTraffic(u, traffic);
    await u.connect();
    await u.page.getByTestId("join-stake").fill("10");
    await u.page.getByTestId("join-submit").click();
    await u.page.locator('[data-testid="toast"][data-kind="success"]').waitFor({ timeout: 60_000 });
    await u.page.getByTestId("train-panel").waitFor({ timeout: 60_000 });

    const lines = readFileSync(env.m.shardFile(0), "utf8").trim().split("\n");
    const bad = lines.map((l, i) => (i === 6 ? l.replace(/"y":\s*\d+/, '"y":"seven"') : l));
    expect(bad[6]).to.contain('"y":"seven"');
    const file = join(env.m.dir, "bad-shard.jsonl");
    writeFileSync(file, `${bad.join("\n")}\n`);
    await pickData(file);
    const error = u.page.getByTestId("train-data-error");
    await error.waitFor();
    expect(await error.getAttribute("data-line")).to.equal("7");
    expect(await error.getAttribute("data-field")).to.equal("y");
    expect(await error.textContent()).to.match(/bad-shard\.jsonl, line 7, field y: y: expected a number/);
    expect(await u.page.getByTestId("train-start").isDisabled(), "Train is not offered").to.equal(true);
    expect(
      await seriousA11yViolations(u.page, '[data-testid="train-panel"]'),
      "the panel with its error",
    ).to.deep.equal([]);

    // A label outside the plan's classes: the row and the field are named too.
    const outside = lines.map((l, i) => (i === 2 ? l.replace(/"y":\s*\d+/, '"y":12') : l));
    const file2 = join(env.m.dir, "bad-label.jsonl");
    writeFileSync(file2, `${outside.join("\n")}\n`);
    await pickData(file2);
    await u.page.getByTestId("train-data-error").filter({ hasText: "line 3" }).waitFor();
    expect(await u.page.getByTestId("train-data-error").textContent()).to.match(
      /line 3, field y: y: label 12 is not one of the plan's classes 0\.\.9/,
    );

    expect(
      txRequests(u).map((r) => r.outcome),
      "only the join was signed",
    ).to.deep.equal(["signed"]);
    expect(
      traffic.bodies.filter((b) => b.url.includes("/api/ipfs")),
      "no upload",
    ).to.deep.equal([]);
    const p = (await fetchParticipant(program(), findParticipantAddress(poolKey, me(), env.m.config.programId)[0]))!;
    expect(p.commitCount, "nothing committed").to.equal(0);
  });

  describe("two rounds with the real aggregator", function () {
    let trainers: RunningActor[] = [];
    let aggregator: RunningActor;
    const reports = new Map<number, RoundReport>();
    let heldCid: string | undefined;

    it("a browser participant and two CLI participants train two rounds and all three are accepted; a reload mid-round resumes with exactly one commitment per round", async function () {
      u = await env.user("participant-1", `/pools/${pool}`);
      captureTraffic(u, traffic);
      await u.connect();
      await u.page.getByTestId("train-panel").waitFor({ timeout: 60_000 });
      const signedBefore = txRequests(u).length;
      await pickData(env.m.shardFile(0));
      await u.page.getByTestId("train-data-ok").waitFor();
      await chooseWasm();
      // The round-1 commit waits in the wallet, as if its prompt were open when the tab reloads.
      const held = u.wallet.holdNext([...TX_METHODS]);
      await u.page.getByTestId("train-start").click();
      trainers = ["participant-2", "participant-3"].map((p, i) => startTrainer(env.m, pool, p, i + 1));
      aggregator = startAggregator(env.m, pool, "aggregator");
      await openRound1(env.m, pool, trainers, aggregator);
      const schedule = scheduleOf((await fetchPool(program(), poolKey))!);

      await held.reached;
      const row1 = u.page.locator('[data-testid="train-round"][data-round="1"]');
      heldCid = (await row1.getAttribute("data-cid"))!;
      expect(heldCid, "round 1's update uploaded and kept before the commit").to.match(/^bafk|^bafy/);
      expect(await row1.getAttribute("data-committed")).to.equal("false");
      const uploadsBefore = traffic.bodies.filter((b) => b.url.includes("/api/ipfs")).length;
      expect(uploadsBefore, "one upload for round 1").to.equal(1);
      await screenshot(u.page, "train-round1-before-reload");

      await u.page.reload();
      held.release();
      // The wallet adapter reconnects by itself (the site was approved before the reload).
      await u.page.getByRole("button", { name: connectedLabel(me().toBase58()) }).waitFor({ timeout: 30_000 });
      // The round state came back from IndexedDB: the uploaded update, not yet committed.
      await u.page
        .locator(`[data-testid="train-round"][data-round="1"][data-cid="${heldCid}"]`)
        .waitFor({ timeout: 60_000 });
      await pickData(env.m.shardFile(0));
      await chooseWasm();
      await u.page.getByTestId("train-start").click();

      await u.page
        .locator('[data-testid="train-round"][data-round="1"][data-published="true"]')
        .waitFor({ timeout: 90_000 });
      expect(
        traffic.bodies.filter((b) => b.url.includes("/api/ipfs")).length,
        "round 1 was not trained or uploaded again",
      ).to.equal(uploadsBefore);
      const progress = u.page.getByTestId("train-deadline");
      expect(await progress.count(), "the round's deadline on the chain clock").to.be.above(0);

      for (const r of [1, 2]) {
        const line = await aggregator.waitFor(posted(r));
        reports.set(
          r,
          decodeRoundReport(
            await (await env.m.session("organization").store()).get((line.report as { cid: string }).cid),
          ),
        );
        if (r === 1 && (await chainTime(env.m.net.connection)) < schedule.roundStart(2))
          await env.m.net.timeTravel(schedule.roundStart(2));
      }
      expect(await aggregator.exited, "aggregator exit code").to.equal(0);
      for (const t of trainers) expect(await t.exited, "trainer exit code").to.equal(0);

      const who = me().toBase58();
      for (const r of [1, 2]) {
        const report = reports.get(r)!;
        expect(report.updates.map((x) => `${x.participant}:${x.accepted}`).sort(), `round ${r} verdicts`).to.deep.equal(
          [who, ...["participant-2", "participant-3"].map((p) => env.m.net.wallets[p]!.publicKey.toBase58())]
            .map((p) => `${p}:true`)
            .sort(),
        );
        const commitments = (await fetchCommitmentsOfRound(program(), poolKey, r)).filter((c) =>
          c.account.authority.equals(me()),
        );
        // Round 2's commit closed round 1's commitment (posted by then): its rent came back, the ledger keeps it.
        expect(commitments, `round ${r}: the browser wallet's commitment account`).to.have.length(r === 1 ? 0 : 1);
        expect(
          await findUpdateCommitted(program(), poolKey, me(), r),
          `round ${r}: the commitment in the ledger`,
        ).to.not.equal(null);
        await u.page
          .locator(`[data-testid="train-round"][data-round="${r}"][data-verdict="accepted"]`)
          .waitFor({ timeout: 60_000 });
      }
      const c1 = (await findUpdateCommitted(program(), poolKey, me(), 1))!;
      expect(
        cidFromBytes(Uint8Array.from(c1.updateCid)).toString(),
        "round 1 committed the update uploaded before the reload",
      ).to.equal(heldCid);
      const outcomes = txRequests(u).map((r) => r.outcome);
      expect(signedBefore).to.equal(0);
      expect(outcomes, "the held round-1 commit (refused with the reload), then one commit per round").to.deep.equal([
        "rejected",
        "signed",
        "signed",
      ]);
      const p = (await fetchParticipant(program(), findParticipantAddress(poolKey, me(), env.m.config.programId)[0]))!;
      expect(p.commitCount).to.equal(2);
      await screenshot(u.page, "train-two-rounds");
      expect(
        await seriousA11yViolations(u.page, '[data-testid="train-panel"]'),
        "the panel with its rounds",
      ).to.deep.equal([]);
      expect(
        u.problems.errors.filter((e) => e.startsWith("pageerror")),
        "uncaught page errors",
      ).to.deep.equal([]);
      expect(u.problems.offsite, "off-site requests").to.deep.equal([]);
    });

    it("the same plan, shard, seed and WASM backend give the same update sha256 in chromium (opened from its sealed commitment) and on the CLI path (Node)", async function () {
      const { tf, backend } = await loadTf("wasm");
      expect(backend).to.equal("wasm");
      const plan = env.m.plan;
      const data = loadJsonl(env.m.shardFile(0), plan.data);
      const store = await env.m.session("organization").store();
      for (const r of [1, 2]) {
        const globalCid =
          r === 1
            ? cidFromBytes((await fetchPool(program(), poolKey))!.initialModelCid).toString()
            : reports.get(1)!.model.cid;
        const global = decode(await store.get(globalCid), { copy: true });
        // fedstr train's round r: trainLocal with seed (default 0) + r, encoded with the codec.
        const res = await trainLocal(plan, global, data, { tf, seed: r });
        const node = toHex(hashBytes(encode(res.update.weights)));
        // The pool is sealed: the chain commits the ciphertext, so the update is opened with the
        // round's key the aggregator discloses, and the plaintext's sha256 is compared.
        // Round 1's account was closed by round 2's commit: what it held is in the ledger.
        const c = (await findUpdateCommitted(program(), poolKey, me(), r))!;
        const committed = await store.get(cidFromBytes(Uint8Array.from(c.updateCid)).toString());
        expect(toHex(hashBytes(committed)), `round ${r}: the committed bytes`).to.equal(
          toHex(Uint8Array.from(c.updateHash)),
        );
        expect(isSealed(committed), `round ${r}: the committed bytes are sealed`).to.equal(true);
        const disclosed = await runJson<{ keys: Record<string, string> }>(
          "fedstr-aggregator",
          ["disclose", "--pool", pool, "--round", String(r), ...env.m.wallet("aggregator")],
          { env: env.m.env },
        );
        const plain = await openUpdate(committed, keyFromHex(disclosed.keys[String(r)]!), {
          pool,
          round: r,
          participant: me().toBase58(),
        });
        const browser = toHex(hashBytes(plain));
        log(`round ${r}: update sha256 chromium ${browser.slice(0, 16)}… node ${node.slice(0, 16)}…`);
        expect(browser, `round ${r}`).to.equal(node);
      }
    });

    it("the browser participant claims both rounds and withdraws; funds reconcile to the token unit", async function () {
      const who = me().toBase58();
      const leaves = [1, 2].map((r) =>
        BigInt(reports.get(r)!.rewards.leaves.find((l) => l.participant === who)!.reward),
      );
      u = await env.user("participant-1", `/pools/${pool}`);
      captureTraffic(u, traffic);
      await u.connect();
      for (const [i, r] of [1, 2].entries()) {
        expect(leaves[i]! > 0n, `round ${r} reward`).to.equal(true);
        await u.page
          .locator(`[data-testid="my-round"][data-round="${r}"]`, { hasText: "claimable" })
          .waitFor({ timeout: 60_000 });
        const before = await env.m.tokenBalance("participant-1");
        await u.page.getByTestId(`claim-round-${r}`).click();
        await u.page
          .locator(`[data-testid="my-round"][data-round="${r}"][data-claimed="true"]`)
          .waitFor({ timeout: 60_000 });
        expect((await env.m.tokenBalance("participant-1")) - before, `round ${r} payout`).to.equal(leaves[i]);
      }
      const account = (await fetchPool(program(), poolKey))!;
      expect(account.status, "the pool ended with its last round").to.not.equal(PoolStatus.Active);
      await u.page.getByTestId("withdraw-submit").click();
      await u.page
        .locator('[data-testid="toast"][data-kind="success"]', { hasText: /withdraw/i })
        .waitFor({ timeout: 60_000 });
      const p = (await fetchParticipant(program(), findParticipantAddress(poolKey, me(), env.m.config.programId)[0]))!;
      expect(p.status).to.equal(ParticipantStatus.Withdrawn);

      // The wallet: stake back in full, plus exactly its two leaves.
      expect((await env.m.tokenBalance("participant-1")) - balanceAtStart).to.equal(leaves[0]! + leaves[1]!);
      // The pool: escrow = funded − claimed (nothing refunded yet), the vault holds the two CLI stakes.
      const after = (await fetchPool(program(), poolKey))!;
      const { escrow, vault } = await env.m.vaultBalances(pool);
      expect(BigInt(after.totalClaimed.toString())).to.equal(leaves[0]! + leaves[1]!);
      expect(escrow).to.equal(100n * TOKEN - leaves[0]! - leaves[1]!);
      expect(vault).to.equal(20n * TOKEN);
      for (const r of [1, 2]) {
        const sum = reports.get(r)!.rewards.leaves.reduce((a, l) => a + BigInt(l.reward), 0n);
        expect(
          sum <= BigInt(reports.get(r)!.rewards.totalReward),
          `round ${r}: the leaves stay within the round's reward`,
        ).to.equal(true);
      }
    });

    it("no request body or relay frame the tab sent contains the data file's bytes or any row of it", async function () {
      const file = readFileSync(env.m.shardFile(0));
      const rows = file.toString("utf8").trim().split("\n");
      const ds = loadJsonl(env.m.shardFile(0), env.m.plan.data);
      const F = ds.featureShape.reduce((a, b) => a * b, 1);
      const rowBytes = Array.from({ length: ds.length }, (_, i) =>
        Buffer.from(ds.x.buffer, ds.x.byteOffset + i * F * 4, F * 4),
      );
      expect(traffic.bodies.length, "requests were captured").to.be.above(10);
      expect(
        traffic.bodies.filter((b) => b.url.includes("/api/ipfs")).map((b) => new URL(b.url).searchParams.get("name")),
        "the two updates (sealed: the pool is), nothing else, uploaded",
      ).to.deep.equal(["update-r1.sealed", "update-r2.sealed"]);
      const leaks: string[] = [];
      for (const { url, body } of traffic.bodies) {
        if (body.includes(file)) leaks.push(`${url}: the whole file`);
        const text = body.toString("latin1");
        rows.forEach((row, i) => {
          if (text.includes(row)) leaks.push(`${url}: row ${i + 1} as text`);
        });
        rowBytes.forEach((b, i) => {
          if (body.includes(b)) leaks.push(`${url}: row ${i + 1} as float32`);
        });
      }
      for (const f of traffic.frames)
        rows.forEach((row, i) => {
          if (f.includes(row)) leaks.push(`relay frame: row ${i + 1}`);
        });
      expect(leaks).to.deep.equal([]);
      log(
        `checked ${traffic.bodies.length} request bodies and ${traffic.frames.length} relay frames against ${rows.length} rows`,
      );
    });

    after(async function () {
      for (const a of [...trainers, aggregator]) a?.kill("SIGKILL");
    });
  });
});
