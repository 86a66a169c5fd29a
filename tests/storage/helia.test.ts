import { mkdtemp, readdir, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { expect } from "chai";
import {
  CHUNK_SIZE,
  CidMismatchError,
  ContentNotFoundError,
  ContentTooLargeError,
  computeCid,
  DAG_PB_CODEC,
  HeliaStore,
} from "../../sdk/src/storage/index.js";

function pattern(n: number, seed = 7): Uint8Array {
  const out = new Uint8Array(n);
  for (let i = 0; i < n; i++) out[i] = (i * seed + (i >> 8)) & 0xff;
  return out;
}

async function listFiles(dir: string): Promise<string[]> {
  const out: string[] = [];
  for (const e of await readdir(dir, { withFileTypes: true, recursive: true })) {
    if (e.isFile()) out.push(join(e.parentPath ?? (e as unknown as { path: string }).path, e.name));
  }
  return out;
}

describe("storage/HeliaStore (embedded Helia node, on-disk blockstore)", () => {
  let dir: string;
  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), "fedstr-helia-"));
  });
  afterEach(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it("stores and returns raw and chunked content, and keeps it across restarts", async () => {
    const store = await HeliaStore.open({ dataDir: dir });
    const small = new TextEncoder().encode('{"model":"tiny"}');
    const big = pattern(2 * CHUNK_SIZE + 1000);
    const c1 = await store.put(small);
    const c2 = await store.put(big);
    expect(c1.toString()).to.equal((await computeCid(small)).toString());
    expect(c2.code).to.equal(DAG_PB_CODEC);
    expect(c2.toString()).to.equal((await computeCid(big)).toString());
    expect(await store.get(c2.toString())).to.deep.equal(big);
    expect(await store.helia.pins.isPinned(c2)).to.equal(true);
    await store.close();

    const again = await HeliaStore.open({ dataDir: dir });
    expect(await again.get(c1)).to.deep.equal(small);
    expect(await again.get(c2)).to.deep.equal(big);
    await again.close();
  });

  it("stores content with repeated identical chunks (zeroed tensors) once per block", async () => {
    const store = await HeliaStore.open({ dataDir: dir });
    const zeros = new Uint8Array(3 * CHUNK_SIZE + 1);
    const cid = await store.put(zeros);
    expect(cid.toString()).to.equal((await computeCid(zeros)).toString());
    expect(await store.get(cid)).to.deep.equal(zeros);
    const leaves = (await listFiles(join(dir, "blocks"))).filter((f) => f.endsWith(".data"));
    expect(leaves.length).to.equal(3); // one zero chunk, one 1-byte chunk, the root
    // Concurrent puts of the same bytes are fine (pinning races are absorbed).
    const fives = new Uint8Array(2 * CHUNK_SIZE).fill(5);
    const cids = await Promise.all([store.put(fives), store.put(fives), store.put(fives)]);
    expect(new Set(cids.map(String)).size).to.equal(1);
    expect(await store.helia.pins.isPinned(cids[0]!)).to.equal(true);
    await store.close();
  });

  it("refuses a block whose bytes on disk no longer hash to its CID", async () => {
    const store = await HeliaStore.open({ dataDir: dir });
    const data = new TextEncoder().encode("original model bytes");
    const cid = await store.put(data);
    const files = (await listFiles(join(dir, "blocks"))).filter((f) => f.endsWith(".data"));
    expect(files.length).to.equal(1);
    const f = files[0] as string;
    const bytes = await readFile(f);
    bytes[0] = bytes[0]! ^ 0xff;
    await writeFile(f, bytes);
    try {
      await store.get(cid);
      expect.fail("expected CidMismatchError");
    } catch (err) {
      expect(err).to.be.instanceOf(CidMismatchError);
      expect((err as CidMismatchError).expected).to.equal(cid.toString());
    } finally {
      await store.close();
    }
  });

  it("reports missing content and content over the size limit with their own errors", async () => {
    const store = await HeliaStore.open({ dataDir: dir, maxBytes: CHUNK_SIZE * 2 });
    const absent = await computeCid(new TextEncoder().encode("never stored"));
    try {
      await store.get(absent);
      expect.fail("expected ContentNotFoundError");
    } catch (err) {
      expect(err).to.be.instanceOf(ContentNotFoundError);
    }
    try {
      await store.put(new Uint8Array(CHUNK_SIZE * 2 + 1));
      expect.fail("expected ContentTooLargeError");
    } catch (err) {
      expect(err).to.be.instanceOf(ContentTooLargeError);
    }
    const cid = await store.put(pattern(CHUNK_SIZE + 5));
    // The root's UnixFS size is checked before any leaf is read.
    try {
      await store.get(cid, { maxBytes: CHUNK_SIZE });
      expect.fail("expected ContentTooLargeError");
    } catch (err) {
      expect(err).to.be.instanceOf(ContentTooLargeError);
    }
    await store.close();
  });
});
