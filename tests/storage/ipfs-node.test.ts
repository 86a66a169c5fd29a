import { randomBytes } from "node:crypto";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { CarBlockIterator } from "@ipld/car/iterator";
import { CarWriter } from "@ipld/car/writer";
import { expect } from "chai";
import type { CID } from "multiformats/cid";
import {
  BackendUnreachableError,
  CHUNK_SIZE,
  CidMismatchError,
  ContentNotFoundError,
  ContentTooLargeError,
  computeCid,
  GatewayStore,
  IpfsHttpStore,
  type IpfsNodeHandle,
  RAW_BLOCK_TYPE,
  ReadOnlyStoreError,
  StorageTimeoutError,
  startIpfsNode,
} from "../../sdk/src/storage/index.js";
import { serve } from "./stand-ins.js";

function pattern(n: number): Uint8Array {
  const out = new Uint8Array(n);
  for (let i = 0; i < n; i++) out[i] = (i * 31 + (i >> 10)) & 0xff;
  return out;
}

describe("storage/IPFS node service (Helia over HTTP on loopback) + IpfsHttpStore", () => {
  let dir: string;
  let node: IpfsNodeHandle;
  before(async () => {
    dir = await mkdtemp(join(tmpdir(), "fedstr-ipfs-node-"));
    node = await startIpfsNode({ dataDir: dir, maxBytes: 4 * CHUNK_SIZE });
  });
  after(async () => {
    await node.close();
    await rm(dir, { recursive: true, force: true });
  });

  it("puts through /api/v0/add and gets verified blocks through the trustless gateway", async () => {
    const store = new IpfsHttpStore({ url: node.url });
    const big = pattern(3 * CHUNK_SIZE + 17);
    const cid = await store.put(big, { name: "model.bin" });
    expect(cid.toString()).to.equal((await computeCid(big)).toString());
    expect(await store.get(cid)).to.deep.equal(big);

    // Any trustless client can read the blocks; a plain GET gives the file.
    const rawRes = await fetch(`${node.url}/ipfs/${cid.toString()}?format=raw`);
    expect(rawRes.headers.get("content-type")).to.equal(RAW_BLOCK_TYPE);
    const fileRes = await fetch(`${node.url}/ipfs/${cid.toString()}`);
    expect(new Uint8Array(await fileRes.arrayBuffer())).to.deep.equal(big);
  });

  it("serves chunked content as one CAR (dfs, verified by the reader) and still block by block", async () => {
    const store = new IpfsHttpStore({ url: node.url });
    const data = new Uint8Array(randomBytes(2 * CHUNK_SIZE + 99));
    const cid = await store.put(data);
    const res = await fetch(`${node.url}/ipfs/${cid.toString()}?format=car`);
    expect(res.headers.get("content-type")).to.match(/^application\/vnd\.ipld\.car; version=1/);
    const it = await CarBlockIterator.fromBytes(new Uint8Array(await res.arrayBuffer()));
    expect((await it.getRoots()).map(String)).to.deep.equal([cid.toString()]);
    const blocks: Array<{ cid: CID; bytes: Uint8Array }> = [];
    for await (const b of it) blocks.push(b);
    expect(blocks.map((b) => b.cid.toString())[0]).to.equal(cid.toString()); // root first (dfs)
    expect(blocks.length).to.equal(4); // root + 3 leaves

    expect(await new GatewayStore({ gatewayUrl: node.url, preferCar: false }).get(cid)).to.deep.equal(data);

    // A gateway whose CAR carries a tampered leaf is caught.
    const { writer, out } = CarWriter.create([cid]);
    const parts: Uint8Array[] = [];
    const done = (async () => {
      for await (const p of out) parts.push(p);
    })();
    for (const [i, b] of blocks.entries()) {
      const bytes = i === 2 ? Uint8Array.from(b.bytes).fill(0, 0, 10) : b.bytes;
      await writer.put({ cid: b.cid, bytes });
    }
    await writer.close();
    await done;
    const evil = await serve((_req, r) => {
      r.writeHead(200, { "content-type": "application/vnd.ipld.car; version=1" });
      r.end(Buffer.concat(parts));
    });
    try {
      try {
        await new GatewayStore({ gatewayUrl: evil.url }).get(cid);
        expect.fail("expected CidMismatchError");
      } catch (err) {
        expect(err).to.be.instanceOf(CidMismatchError);
      }
    } finally {
      await evil.close();
    }
  });

  it("answers like Kubo and refuses CIDv0 / other chunkers", async () => {
    const form = new FormData();
    form.append("file", new Blob([new TextEncoder().encode("kubo style")]), "k.txt");
    const ok = await fetch(`${node.url}/api/v0/add?cid-version=1`, { method: "POST", body: form });
    const json = (await ok.json()) as { Name: string; Hash: string; Size: string };
    expect(json.Name).to.equal("k.txt");
    expect(json.Hash).to.match(/^bafkrei/);
    const v0 = await fetch(`${node.url}/api/v0/add?cid-version=0`, { method: "POST", body: form });
    expect(v0.status).to.equal(400);
    const chunker = await fetch(`${node.url}/api/v0/add?cid-version=1&chunker=size-1048576`, {
      method: "POST",
      body: form,
    });
    expect(chunker.status).to.equal(400);
  });

  it("distinguishes missing content, oversize content, unreachable node and read-only gateways", async () => {
    const store = new IpfsHttpStore({ url: node.url });
    const absent = await computeCid(new TextEncoder().encode("nobody stored this"));
    try {
      await store.get(absent);
      expect.fail("expected ContentNotFoundError");
    } catch (err) {
      expect(err).to.be.instanceOf(ContentNotFoundError);
    }

    const cid = await store.put(pattern(2 * CHUNK_SIZE));
    try {
      await store.get(cid, { maxBytes: CHUNK_SIZE });
      expect.fail("expected ContentTooLargeError");
    } catch (err) {
      expect(err).to.be.instanceOf(ContentTooLargeError);
    }
    try {
      await store.put(pattern(4 * CHUNK_SIZE + 1));
      expect.fail("expected ContentTooLargeError");
    } catch (err) {
      expect(err).to.be.instanceOf(ContentTooLargeError);
    }

    const gone = await serve(() => {});
    await gone.close();
    const dead = new IpfsHttpStore({ url: gone.url });
    try {
      await dead.get(cid);
      expect.fail("expected BackendUnreachableError");
    } catch (err) {
      expect(err).to.be.instanceOf(BackendUnreachableError);
    }
    try {
      await dead.put(new Uint8Array([1]));
      expect.fail("expected BackendUnreachableError");
    } catch (err) {
      expect(err).to.be.instanceOf(BackendUnreachableError);
    }

    const ro = new GatewayStore({ gatewayUrl: node.url });
    expect(await ro.get(cid)).to.have.length(2 * CHUNK_SIZE);
    try {
      await ro.put(new Uint8Array([1]));
      expect.fail("expected ReadOnlyStoreError");
    } catch (err) {
      expect(err).to.be.instanceOf(ReadOnlyStoreError);
    }
  });

  it("times out on a gateway that never answers (injected timeout signal, no sleeping)", async () => {
    const controller = new AbortController();
    const stall = await serve(() => {
      controller.abort();
    }); // receives the request, never responds, fires our "timer"
    try {
      const store = new GatewayStore({
        gatewayUrl: stall.url,
        timeoutMs: 1234,
        timeoutSignal: () => controller.signal,
      });
      const cid = await computeCid(new Uint8Array([1, 2, 3]));
      try {
        await store.get(cid);
        expect.fail("expected StorageTimeoutError");
      } catch (err) {
        expect(err).to.be.instanceOf(StorageTimeoutError);
        expect((err as Error).message).to.match(/1234 ms/);
      }
    } finally {
      await stall.close();
    }
  });

  it("detects a gateway that lies (raw block or whole file) and accepts an honest deserializing gateway", async () => {
    const real = new TextEncoder().encode('{"weights":[1,2,3]}');
    const cid = await computeCid(real);
    const big = pattern(CHUNK_SIZE * 2 + 3);
    const bigCid = await computeCid(big);
    const liar = await serve((req, res) => {
      const u = new URL(req.url ?? "/", "http://x");
      const c = u.pathname.slice(6);
      const wantRaw = u.searchParams.get("format") === "raw";
      if (c === cid.toString()) {
        res.writeHead(200, { "content-type": wantRaw ? RAW_BLOCK_TYPE : "application/json" });
        res.end(new TextEncoder().encode('{"weights":[6,6,6]}'));
      } else {
        res.writeHead(200, { "content-type": "application/octet-stream" }); // deserializing; tampered last byte
        const t = Uint8Array.from(big);
        t[t.length - 1] = t[t.length - 1]! ^ 1;
        res.end(t);
      }
    });
    const honest = await serve((req, res) => {
      const c = new URL(req.url ?? "/", "http://x").pathname.slice(6);
      res.writeHead(200, { "content-type": "application/octet-stream" });
      res.end(c === bigCid.toString() ? big : real);
    });
    try {
      const l = new GatewayStore({ gatewayUrl: liar.url });
      try {
        await l.get(cid);
        expect.fail("expected CidMismatchError");
      } catch (err) {
        expect(err).to.be.instanceOf(CidMismatchError);
      }
      try {
        await l.get(bigCid);
        expect.fail("expected CidMismatchError");
      } catch (err) {
        expect(err).to.be.instanceOf(CidMismatchError);
      }
      const h = new GatewayStore({ gatewayUrl: honest.url });
      expect(await h.get(cid)).to.deep.equal(real);
      expect(await h.get(bigCid)).to.deep.equal(big);
    } finally {
      await liar.close();
      await honest.close();
    }
  });
});
