/**
 * PinataStore against a local STAND-IN for Pinata (tests/storage/stand-ins.ts):
 * it answers only the HTTP calls the `pinata` SDK v2 makes for
 * `upload.public.file()` plus a deserializing gateway. No real Pinata service
 * is contacted.
 */
import { expect } from "chai";
import {
  BackendError,
  BackendUnreachableError,
  CHUNK_SIZE,
  CidMismatchError,
  computeCid,
  PinataStore,
} from "../../sdk/src/storage/index.js";
import { pinataStandIn } from "./stand-ins.js";

describe("storage/PinataStore (via the pinata SDK, against a local Pinata stand-in)", () => {
  it("uploads with the SDK, checks the reported CID, reads back verified (JSON bytes kept exact)", async () => {
    const standIn = await pinataStandIn({ jwt: "test-jwt", gatewayKey: "gw-key" });
    try {
      const store = new PinataStore({
        jwt: "test-jwt",
        gateway: standIn.url,
        gatewayKey: "gw-key",
        uploadUrl: `${standIn.url}/v3`,
      });
      const plan = new TextEncoder().encode('{ "rounds": 3,\n  "lr": 0.01 }'); // whitespace must survive
      const cid = await store.put(plan, { name: "plan.json" });
      expect(cid.toString()).to.equal((await computeCid(plan)).toString());
      const upload = standIn.requests.find((r) => r.method === "POST");
      expect(upload?.url).to.equal("/v3/files");
      expect(upload?.headers.authorization).to.equal("Bearer test-jwt");
      expect(await store.get(cid)).to.deep.equal(plan);
      const read = standIn.requests.find((r) => r.method === "GET");
      expect(read?.url).to.contain("pinataGatewayToken=gw-key");

      const big = new Uint8Array(CHUNK_SIZE * 2 + 9).map((_, i) => i % 253);
      const bigCid = await store.put(big);
      expect(await store.get(bigCid.toString())).to.deep.equal(big);
    } finally {
      await standIn.close();
    }
  });

  it("fails with CidMismatchError when Pinata reports another CID, and BackendError(401) on a bad JWT", async () => {
    const other = (await computeCid(new TextEncoder().encode("something else"))).toString();
    const liar = await pinataStandIn({ jwt: "j", lieAboutCid: other });
    try {
      const store = new PinataStore({ jwt: "j", gateway: liar.url, uploadUrl: `${liar.url}/v3` });
      try {
        await store.put(new TextEncoder().encode("update"));
        expect.fail("expected CidMismatchError");
      } catch (err) {
        expect(err).to.be.instanceOf(CidMismatchError);
      }
      const wrongJwt = new PinataStore({ jwt: "nope", gateway: liar.url, uploadUrl: `${liar.url}/v3` });
      try {
        await wrongJwt.put(new TextEncoder().encode("update"));
        expect.fail("expected BackendError");
      } catch (err) {
        expect(err).to.be.instanceOf(BackendError);
        expect((err as BackendError).status).to.equal(401);
      }
    } finally {
      await liar.close();
    }
  });

  it("reports an unreachable Pinata as BackendUnreachableError", async () => {
    const gone = await pinataStandIn({ jwt: "j" });
    await gone.close();
    const store = new PinataStore({ jwt: "j", gateway: gone.url, uploadUrl: `${gone.url}/v3` });
    try {
      await store.put(new TextEncoder().encode("x"));
      expect.fail("expected BackendUnreachableError");
    } catch (err) {
      expect(err).to.be.instanceOf(BackendUnreachableError);
    }
    try {
      await store.get("bafkreigh2akiscaildcqabsyg3dfr6chu3fgpregiymsck7e7aqa4s52zy");
      expect.fail("expected BackendUnreachableError");
    } catch (err) {
      expect(err).to.be.instanceOf(BackendUnreachableError);
    }
  });
});
