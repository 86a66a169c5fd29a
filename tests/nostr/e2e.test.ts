/**
 * End to end over real sockets on loopback: `npm run relay` and
 * `npm run ipfs-node` are started as separate processes (as the local network
 * runs them); the aggregator and a participant talk through them with the
 * sdk's RelayPool, EventReader and IpfsHttpStore.
 */

import { type ChildProcess, spawn } from "node:child_process";
import { mkdtemp, readdir, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createInterface } from "node:readline";
import { expect } from "chai";
import { finalizeEvent } from "nostr-tools/pure";
import {
  type AcceptedEvent,
  buildFeedback,
  buildJobRequest,
  buildResult,
  EventReader,
  type JobRequest,
  jobFeedbackFilter,
  jobRequestsFilter,
  jobResultsFilter,
  KIND_FL_JOB_RESULT,
  RelayPool,
} from "../../sdk/src/nostr/index.js";
import { createSealKeySet } from "../../sdk/src/privacy/index.js";
import {
  CHUNK_SIZE,
  CidMismatchError,
  cidFromBytes,
  cidToBytes,
  DAG_PB_CODEC,
  IpfsHttpStore,
  sha256Hex,
} from "../../sdk/src/storage/index.js";
import { actor, solanaAddress } from "./fixtures.js";

const ROOT = join(import.meta.dirname, "..", "..");

async function startScript(
  script: string,
  dataDir: string,
): Promise<{ child: ChildProcess; info: Record<string, unknown> }> {
  const child = spawn(
    process.execPath,
    ["--import", "tsx", join(ROOT, "scripts", script), "--json", "--port", "0", "--data-dir", dataDir],
    { cwd: ROOT, stdio: ["ignore", "pipe", "inherit"] },
  );
  const lines = createInterface({ input: child.stdout! });
  const info = await new Promise<Record<string, unknown>>((resolve, reject) => {
    lines.once("line", (l) => {
      try {
        resolve(JSON.parse(l) as Record<string, unknown>);
      } catch (err) {
        reject(err as Error);
      }
    });
    child.once("exit", (code) => reject(new Error(`${script} exited with ${code}`)));
  });
  return { child, info };
}

async function stop(child: ChildProcess | undefined): Promise<void> {
  if (child == null || child.exitCode != null) return;
  const exited = new Promise((resolve) => child.once("exit", resolve));
  child.kill("SIGTERM");
  await exited;
}

/** Queue of accepted events from one subscription, awaited one by one. */
function inbox(): { push: (a: AcceptedEvent | null) => void; next: () => Promise<AcceptedEvent> } {
  const items: AcceptedEvent[] = [];
  const waiting: Array<(a: AcceptedEvent) => void> = [];
  return {
    push: (a) => {
      if (a == null) return;
      const w = waiting.shift();
      if (w != null) w(a);
      else items.push(a);
    },
    next: async () => {
      const a = items.shift();
      if (a != null) return a;
      return await new Promise((resolve) => waiting.push(resolve));
    },
  };
}

describe("e2e: job request → encrypted result → feedback through the relay, model through the IPFS node", function () {
  this.timeout(60_000);
  let dir: string;
  let relayProc: ChildProcess | undefined;
  let ipfsProc: ChildProcess | undefined;
  let relayUrl: string;
  let ipfsUrl: string;

  before(async () => {
    dir = await mkdtemp(join(tmpdir(), "fedstr-e2e-"));
    const [r, i] = await Promise.all([
      startScript("relay.ts", join(dir, "relay")),
      startScript("ipfs-node.ts", join(dir, "ipfs")),
    ]);
    relayProc = r.child;
    ipfsProc = i.child;
    relayUrl = r.info.relay as string;
    ipfsUrl = i.info.ipfs as string;
    expect(relayUrl).to.match(/^ws:\/\/127\.0\.0\.1:\d+$/);
    expect(ipfsUrl).to.match(/^http:\/\/127\.0\.0\.1:\d+$/);
  });
  after(async () => {
    await Promise.all([stop(relayProc), stop(ipfsProc)]);
    await rm(dir, { recursive: true, force: true });
  });

  it("runs one round of the protocol", async () => {
    const agg = await actor();
    const participant = await actor();
    const aggStore = new IpfsHttpStore({ url: ipfsUrl });
    const pStore = new IpfsHttpStore({ url: ipfsUrl, maxBytes: 4 * 1024 * 1024 });

    // The organisation/aggregator puts the plan and the initial model on IPFS.
    const plan = new TextEncoder().encode(JSON.stringify({ version: 1, rounds: 2, lr: 0.01 }));
    const model = new Uint8Array(CHUNK_SIZE + 12345).map((_, i) => (i * 13) & 0xff);
    const planCid = await aggStore.put(plan, { name: "plan.json" });
    const modelCid = await aggStore.put(model, { name: "model-0.bin" });
    expect(modelCid.code).to.equal(DAG_PB_CODEC);
    expect(cidFromBytes(cidToBytes(modelCid)).toString()).to.equal(modelCid.toString()); // what goes on-chain

    const aggPool = new RelayPool([relayUrl]);
    const pPool = new RelayPool([relayUrl]);
    await Promise.all([aggPool.start(), pPool.start()]);
    try {
      // Participant watches for fedstr jobs.
      const pReader = new EventReader();
      const pInbox = inbox();
      pPool.subscribe([jobRequestsFilter()], { onevent: (e) => pInbox.push(pReader.accept(e)) });

      const job: JobRequest = {
        programId: solanaAddress(),
        cluster: "localnet",
        pool: solanaAddress(),
        planCid: planCid.toString(),
        initialModelCid: modelCid.toString(),
        rounds: 2,
        reward: { amount: "1000000000" },
        stake: { amount: "10000000" },
        deadlines: {
          join: Math.floor(Date.now() / 1000) + 600,
          end: Math.floor(Date.now() / 1000) + 7200,
          roundSeconds: 300,
        },
        relays: [relayUrl],
        aggregator: agg.pk,
        privacy: "sealed",
        seal: await createSealKeySet(agg.sk, 2),
      };
      const jobEvent = buildJobRequest(job, agg.sk);
      const published = await aggPool.publish(jobEvent);
      expect(published[0]?.ok).to.equal(true);

      // Aggregator listens for results addressed to it, and decrypts them.
      const aggReader = new EventReader({ decryptWith: agg.sk, jobIds: [jobEvent.id] });
      const aggInbox = inbox();
      aggPool.subscribe([jobResultsFilter(jobEvent.id, agg.pk)], {
        onevent: (e) => aggInbox.push(aggReader.accept(e)),
      });

      // Participant: sees the job, fetches plan and model (verified), trains, uploads its update.
      const seen = await pInbox.next();
      expect(seen.type).to.equal("job-request");
      if (seen.type !== "job-request") return;
      expect(seen.job).to.deep.equal(job);
      expect(await pStore.get(seen.job.planCid)).to.deep.equal(plan);
      const gotModel = await pStore.get(seen.job.initialModelCid);
      expect(sha256Hex(gotModel)).to.equal(sha256Hex(model));
      const update = gotModel.map((b) => b ^ 0x5a);
      const updateCid = await pStore.put(update, { name: "update-r0.bin" });

      const fbReader = new EventReader();
      fbReader.followJob(seen); // feedback only from the job's requester or aggregator
      const fbInbox = inbox();
      pPool.subscribe([jobFeedbackFilter(jobEvent.id, { recipient: participant.pk })], {
        onevent: (e) => fbInbox.push(fbReader.accept(e)),
      });

      const payload = {
        update: updateCid.toString(),
        sha256: sha256Hex(update),
        samples: 600,
        round: 0,
        metrics: { loss: 0.31, accuracy: 0.9 },
      };
      const result = buildResult(
        {
          job: seen.event,
          aggregator: seen.job.aggregator,
          payload,
          binding: participant.binding,
          encrypt: seen.job.privacy === "sealed",
        },
        participant.sk,
      );
      expect(result.content).to.not.contain(updateCid.toString());
      expect((await pPool.publish(result))[0]?.ok).to.equal(true);

      // Aggregator: receives, decrypts, checks the binding, fetches the update and checks its hash.
      const r = await aggInbox.next();
      expect(r.type).to.equal("result");
      if (r.type !== "result") return;
      expect(r.event.pubkey).to.equal(participant.pk);
      expect(r.result.binding.solanaPubkey).to.equal(participant.solana.publicKey);
      expect(r.result.payload).to.deep.equal(payload);
      const fetched = await aggStore.get(r.result.payload!.update);
      expect(sha256Hex(fetched)).to.equal(r.result.payload!.sha256);

      // Noise the aggregator must drop: a replayed round-0 result and an unbound one.
      const replay = buildResult(
        {
          job: seen.event,
          aggregator: agg.pk,
          payload: { ...payload, samples: 60000 },
          binding: participant.binding,
          encrypt: true,
        },
        participant.sk,
        { createdAt: result.created_at + 1 },
      );
      const unbound = finalizeEvent(
        {
          kind: KIND_FL_JOB_RESULT,
          created_at: result.created_at,
          tags: result.tags.filter((t) => t[0] !== "solana"),
          content: result.content,
        },
        participant.sk,
      );
      await pPool.publish(replay);
      await pPool.publish(unbound);

      // Aggregator posts the round's model and tells the participant.
      const nextModel = fetched.map((b) => b ^ 0x5a);
      const nextCid = await aggStore.put(nextModel, { name: "model-1.bin" });
      await aggPool.publish(
        buildFeedback(
          { jobId: jobEvent.id, recipients: [participant.pk], status: "processing", info: "aggregating round 0" },
          agg.sk,
        ),
      );
      await aggPool.publish(
        buildFeedback(
          {
            jobId: jobEvent.id,
            recipients: [participant.pk],
            status: "partial",
            round: 0,
            model: { cid: nextCid.toString(), sha256: sha256Hex(nextModel) },
            metrics: { accuracy: 0.92 },
          },
          agg.sk,
        ),
      );

      const f1 = await fbInbox.next();
      const f2 = await fbInbox.next();
      expect(f1.type === "feedback" && f1.feedback.status).to.equal("processing");
      expect(f2.type === "feedback" && f2.feedback.status).to.equal("partial");
      if (f2.type !== "feedback") return;
      expect(f2.feedback.model?.cid).to.equal(nextCid.toString());
      expect(f2.event.pubkey).to.equal(seen.job.aggregator);
      expect(sha256Hex(await pStore.get(f2.feedback.model!.cid))).to.equal(f2.feedback.model!.sha256);

      // By now the relay has delivered the noise to the aggregator too (it was published before the feedback).
      expect(aggReader.counters).to.include({ accepted: 1, replayed: 1, unboundIdentity: 1 });

      // A block altered on the node's disk is refused by the reader: the bytes no longer match the CID.
      const secret = new TextEncoder().encode(`checkpoint ${jobEvent.id}`);
      const secretCid = await aggStore.put(secret);
      const files = (await readdir(join(dir, "ipfs", "blocks"), { recursive: true, withFileTypes: true })).filter((e) =>
        e.isFile(),
      );
      let tampered = false;
      for (const f of files) {
        const path = join(f.parentPath ?? (f as unknown as { path: string }).path, f.name);
        const b = await readFile(path);
        if (Buffer.compare(b, Buffer.from(secret)) === 0) {
          b[0] = b[0]! ^ 1;
          await writeFile(path, b);
          tampered = true;
        }
      }
      expect(tampered).to.equal(true);
      try {
        await pStore.get(secretCid);
        expect.fail("expected CidMismatchError");
      } catch (err) {
        expect(err).to.be.instanceOf(CidMismatchError);
      }
    } finally {
      aggPool.close();
      pPool.close();
    }
  });
});
