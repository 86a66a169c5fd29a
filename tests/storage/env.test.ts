import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { expect } from "chai";
import { GatewayStore, HeliaStore, IpfsHttpStore, PinataStore, storeFromEnv } from "../../sdk/src/storage/index.js";

describe("storage/storeFromEnv", () => {
  it("picks the backend from FEDSTR_STORAGE and friends", async () => {
    expect(await storeFromEnv({ FEDSTR_IPFS_URL: "http://127.0.0.1:1" })).to.be.instanceOf(IpfsHttpStore);
    expect(
      await storeFromEnv({ FEDSTR_STORAGE: "pinata", PINATA_JWT: "j", PINATA_GATEWAY: "example.mypinata.cloud" }),
    ).to.be.instanceOf(PinataStore);
    expect(await storeFromEnv({ FEDSTR_STORAGE: "gateway", FEDSTR_IPFS_GATEWAY: "https://ipfs.io" })).to.be.instanceOf(
      GatewayStore,
    );
    const dir = await mkdtemp(join(tmpdir(), "fedstr-env-"));
    const helia = await storeFromEnv({
      FEDSTR_STORAGE: "helia",
      FEDSTR_IPFS_DIR: dir,
      FEDSTR_MAX_CONTENT_BYTES: "1000",
    });
    expect(helia).to.be.instanceOf(HeliaStore);
    await helia.close();
    await rm(dir, { recursive: true, force: true });
  });

  it("says which variable is missing", async () => {
    try {
      await storeFromEnv({ FEDSTR_STORAGE: "pinata", PINATA_JWT: "j" });
      expect.fail("expected an error");
    } catch (err) {
      expect((err as Error).message).to.match(/PINATA_GATEWAY/);
    }
    try {
      await storeFromEnv({});
      expect.fail("expected an error");
    } catch (err) {
      expect((err as Error).message).to.match(/FEDSTR_IPFS_URL/);
    }
    try {
      await storeFromEnv({ FEDSTR_IPFS_URL: "http://127.0.0.1:1", FEDSTR_MAX_CONTENT_BYTES: "lots" });
      expect.fail("expected an error");
    } catch (err) {
      expect((err as Error).message).to.match(/FEDSTR_MAX_CONTENT_BYTES/);
    }
    try {
      await storeFromEnv({ FEDSTR_STORAGE: "s3" });
      expect.fail("expected an error");
    } catch (err) {
      expect((err as Error).message).to.match(/not one of/);
    }
  });
});
