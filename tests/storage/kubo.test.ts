/**
 * fedstr's stores against a real, stock Kubo (the reference IPFS node): its RPC API and its gateway
 * on separate loopback ports, offline, throw-away repo (tests/storage/kubo-node.ts). Built by
 * scripts/build-kubo.sh from the Go module proxy; `make test` runs that first.
 */

import { randomBytes } from "node:crypto";
import { expect } from "chai";
import { isTransient } from "../../sdk/src/cli/retry.js";
import {
  CHUNK_SIZE,
  ContentNotFoundError,
  type ContentStore,
  ContentTooLargeError,
  computeCid,
  GatewayStore,
  IpfsHttpStore,
  MAX_CHILDREN_PER_NODE,
  StorageError,
  storeFromEnv,
} from "../../sdk/src/storage/index.js";
import { type KuboNode, startKubo } from "./kubo-node.js";

const MiB = 1024 * 1024;
const random = (n: number): Uint8Array => new Uint8Array(randomBytes(n));

async function storageError(p: Promise<unknown>): Promise<StorageError> {
  try {
    await p;
  } catch (err) {
    if (err instanceof StorageError) return err;
    throw err;
  }
  expect.fail("expected a StorageError");
}

/** Record the URLs fetched while `fn` runs (the real fetch does the work). */
async function recordFetches<T>(fn: () => Promise<T>): Promise<{ result: T; urls: string[] }> {
  const original = globalThis.fetch;
  const urls: string[] = [];
  globalThis.fetch = async (input, init) => {
    urls.push(input instanceof Request ? input.url : String(input));
    return await original(input, init);
  };
  try {
    return { result: await fn(), urls };
  } finally {
    globalThis.fetch = original;
  }
}

describe("storage against a stock Kubo node (RPC API and gateway on separate ports)", function () {
  this.timeout(300_000);
  let kubo: KuboNode;
  let store: IpfsHttpStore;
  before(async () => {
    kubo = await startKubo();
    // A 5 s timeout: a read of missing content must answer NOT_FOUND well within it, not time out.
    store = new IpfsHttpStore({ url: kubo.api, gatewayUrl: kubo.gateway, timeoutMs: 5_000 });
  });
  after(async () => {
    await kubo?.stop();
  });

  it(`round-trips 0 B, 1 B, 256 KiB ± 1, 10 MiB and 45.6 MiB + 1 (two DAG levels) with Kubo's CIDs`, async () => {
    const twoLevels = Math.floor(45.6 * MiB) + 1;
    expect(Math.ceil(twoLevels / CHUNK_SIZE), "leaves of the largest size").to.be.greaterThan(MAX_CHILDREN_PER_NODE);
    for (const n of [0, 1, CHUNK_SIZE - 1, CHUNK_SIZE, CHUNK_SIZE + 1, 10 * MiB, twoLevels]) {
      const bytes = random(n);
      const cid = await store.put(bytes); // IpfsHttpStore refuses a CID from Kubo that differs from computeCid
      expect(cid.toString(), `CID of ${n} B`).to.equal((await computeCid(bytes)).toString());
      const { result, urls } = await recordFetches(async () => await store.get(cid));
      expect(Buffer.from(result).equals(Buffer.from(bytes)), `bytes of ${n} B`).to.equal(true);
      expect(
        urls.every((u) => u.startsWith(`${kubo.gateway}/ipfs/`)),
        `reads of ${n} B go to the gateway`,
      ).to.equal(true);
      if (n > CHUNK_SIZE)
        expect(urls, `one CAR request for ${n} B`).to.deep.equal([`${kubo.gateway}/ipfs/${cid.toString()}?format=car`]);
    }
  });

  it("reads content Kubo added itself with other chunkers and layouts (trickle, rabin, 1 MiB chunks, non-raw leaves), as a CAR and block by block", async () => {
    const blockByBlock = new GatewayStore({ gatewayUrl: kubo.gateway, preferCar: false, timeoutMs: 5_000 });
    // Trickle differs from balanced only past 174 leaves at the root: small chunks get there in 3 MiB.
    const layouts: Record<string, Record<string, string>> = {
      trickle: { trickle: "true", chunker: "size-4096" },
      rabin: { chunker: "rabin" },
      "1 MiB chunks": { chunker: "size-1048576" },
      "non-raw leaves": { "raw-leaves": "false" },
      "trickle + non-raw leaves": { trickle: "true", "raw-leaves": "false", chunker: "size-8192" },
    };
    for (const [name, params] of Object.entries(layouts)) {
      const bytes = random(3 * MiB + 12345);
      const cid = await kubo.add(bytes, params);
      const { trickle, ...balanced } = params;
      const otherLayout =
        trickle === undefined ? (await computeCid(bytes)).toString() : await kubo.add(bytes, balanced);
      expect(cid, `${name}: a layout of its own`).to.not.equal(otherLayout);
      expect(Buffer.from(await store.get(cid)).equals(Buffer.from(bytes)), `${name} via CAR`).to.equal(true);
      expect(Buffer.from(await blockByBlock.get(cid)).equals(Buffer.from(bytes)), `${name} block by block`).to.equal(
        true,
      );
    }
  });

  it("a missing CID is NOT_FOUND at once (raw and dag-pb), not a timeout", async () => {
    for (const bytes of [random(100), random(3 * CHUNK_SIZE)]) {
      const absent = await computeCid(bytes);
      const err = await storageError(store.get(absent));
      expect(err.code, err.message).to.equal("NOT_FOUND");
      expect(err).to.be.instanceOf(ContentNotFoundError);
      expect((err as ContentNotFoundError).cid).to.equal(absent.toString());
    }
  });

  it("a DAG with one block removed (ipfs block rm) is NOT_FOUND naming the block; the CAR's blocks are kept and only the missing one is asked for again", async () => {
    const bytes = random(6 * CHUNK_SIZE);
    const root = (await store.put(bytes)).toString();
    const leaves = await kubo.refs(root);
    expect(leaves).to.have.length(6);
    const gone = leaves[3]!;
    await kubo.removeBlock(root, gone);

    // Kubo answers 200 with a CAR that breaks off at the missing block.
    const car = await fetch(`${kubo.gateway}/ipfs/${root}?format=car`, {
      headers: { accept: "application/vnd.ipld.car; version=1; order=dfs; dups=n" },
    });
    expect(car.status).to.equal(200);
    expect(Buffer.from(await car.arrayBuffer()).toString("latin1")).to.match(/Gateway Error: CAR stream truncated/);

    const { result: err, urls } = await recordFetches(async () => await storageError(store.get(root)));
    expect(err.code, err.message).to.equal("NOT_FOUND");
    expect((err as ContentNotFoundError).cid).to.equal(root);
    expect((err as ContentNotFoundError).block).to.equal(gone);
    expect(err.message).to.contain(gone);
    // One CAR request, then a block request for the missing block only (leaves 0-2 came in the CAR).
    // (Not counted: the reader's one-time check that the gateway is not an RPC API, after a 404.)
    expect(urls.filter((u) => u.includes("/ipfs/"))).to.deep.equal([
      `${kubo.gateway}/ipfs/${root}?format=car`,
      `${kubo.gateway}/ipfs/${gone}?format=raw`,
    ]);

    const blockByBlock = new GatewayStore({ gatewayUrl: kubo.gateway, preferCar: false, timeoutMs: 5_000 });
    const err2 = await storageError(blockByBlock.get(root));
    expect(err2.code, err2.message).to.equal("NOT_FOUND");
    expect((err2 as ContentNotFoundError).block).to.equal(gone);
  });

  it("size limits: the root's declared size is checked before the CAR is downloaded, and TOO_LARGE quotes the limit the user set", async () => {
    const bytes = random(10 * MiB);
    const root = await store.put(bytes);
    const limit = 3 * MiB + 7;
    const limited = new IpfsHttpStore({ url: kubo.api, gatewayUrl: kubo.gateway, maxBytes: limit, timeoutMs: 5_000 });
    for (const s of [limited, store] as ContentStore[]) {
      const err = await storageError(s === store ? store.get(root, { maxBytes: limit }) : s.get(root));
      expect(err).to.be.instanceOf(ContentTooLargeError);
      // The size the verified root declares, not a byte count that ran over some internal cap.
      expect(err.message).to.equal(
        `content ${root.toString()} is ${10 * MiB} bytes, over the configured maximum of ${limit} bytes`,
      );
    }
    const small = await store.put(random(5000));
    const err = await storageError(store.get(small, { maxBytes: 4000 }));
    expect(err.code).to.equal("TOO_LARGE");
    expect(err.message).to.match(/over the configured maximum of 4000 bytes$/);
    const putErr = await storageError(limited.put(random(limit + 1)));
    expect(putErr.code).to.equal("TOO_LARGE");
    expect(putErr.message).to.match(new RegExp(`over the configured maximum of ${limit} bytes$`));
  });

  it("names the misconfiguration when the API and gateway are swapped or the API is given as both (no retried NOT_FOUND)", async () => {
    const cid = await store.put(random(2 * CHUNK_SIZE));
    const apiOnly = new IpfsHttpStore({ url: kubo.api, timeoutMs: 5_000 });
    const err = await storageError(apiOnly.get(cid));
    expect(err.code).to.equal("BACKEND");
    expect(err.message).to.contain(`${kubo.api} is an IPFS node's RPC API (Kubo ${kubo.version})`);
    expect(err.message).to.contain("FEDSTR_IPFS_GATEWAY");
    expect(isTransient(err), "retrying cannot help").to.equal(false);

    const swapped = new IpfsHttpStore({ url: kubo.gateway, gatewayUrl: kubo.api, timeoutMs: 5_000 });
    const putErr = await storageError(swapped.put(random(10)));
    expect(putErr.message).to.match(/is not an IPFS RPC API/);
    expect(isTransient(putErr)).to.equal(false);

    // The environment form works against Kubo, and refuses an API without a gateway.
    const fromEnv = await storeFromEnv({ FEDSTR_IPFS_API: kubo.api, FEDSTR_IPFS_GATEWAY: kubo.gateway });
    expect((await fromEnv.get(cid)).length).to.equal(2 * CHUNK_SIZE);
    try {
      await storeFromEnv({ FEDSTR_IPFS_API: kubo.api });
      expect.fail("expected an error");
    } catch (e) {
      expect((e as Error).message).to.match(/FEDSTR_IPFS_API is set but FEDSTR_IPFS_GATEWAY is not/);
    }
  });
});
