import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { expect } from "chai";
import { ConfigError, loadConfig, storeFor } from "../../sdk/src/config/index.js";
import {
  IPFS_FLAG_NAMES,
  IpfsHttpStore,
  KUBO_DEFAULT_API_URL,
  KUBO_DEFAULT_GATEWAY_URL,
  resolveIpfsEndpoints,
  storeFromEnv,
} from "../../sdk/src/storage/index.js";

const RELAYS = { FEDSTR_RELAYS: "ws://127.0.0.1:1" };

function throwsWith(fn: () => unknown, pattern: RegExp, type: new (...a: never[]) => Error = Error): void {
  try {
    fn();
  } catch (e) {
    expect(e).to.be.instanceOf(type);
    expect((e as Error).message).to.match(pattern);
    return;
  }
  expect.fail(`expected an error matching ${String(pattern)}`);
}

describe("storage/IPFS endpoints: the API and the gateway, resolved once for flags, environment, config file and the web app", () => {
  it("one URL for a node serving both, or an API and a gateway (Kubo), normalised to base URLs", () => {
    expect(resolveIpfsEndpoints({ url: "http://127.0.0.1:5081/" })).to.deep.equal({
      apiUrl: "http://127.0.0.1:5081",
      gatewayUrl: "http://127.0.0.1:5081",
    });
    expect(resolveIpfsEndpoints({ api: KUBO_DEFAULT_API_URL, gateway: `${KUBO_DEFAULT_GATEWAY_URL}/` })).to.deep.equal({
      apiUrl: "http://127.0.0.1:5001",
      gatewayUrl: "http://127.0.0.1:8080",
    });
    expect(resolveIpfsEndpoints({ url: KUBO_DEFAULT_API_URL, gateway: KUBO_DEFAULT_GATEWAY_URL })).to.deep.equal({
      apiUrl: KUBO_DEFAULT_API_URL,
      gatewayUrl: KUBO_DEFAULT_GATEWAY_URL,
    });
    expect(resolveIpfsEndpoints({ api: "https://node.example/kubo", gateway: "https://gw.example/" })).to.deep.equal({
      apiUrl: "https://node.example/kubo",
      gatewayUrl: "https://gw.example",
    });
  });

  it("says what to set when the settings are missing, malformed or inconsistent, naming the setting as the user wrote it", () => {
    throwsWith(
      () => resolveIpfsEndpoints({ api: KUBO_DEFAULT_API_URL }),
      /FEDSTR_IPFS_API is set but FEDSTR_IPFS_GATEWAY is not: .*http:\/\/127\.0\.0\.1:8080/,
    );
    throwsWith(
      () => resolveIpfsEndpoints({ api: KUBO_DEFAULT_API_URL }, IPFS_FLAG_NAMES),
      /--ipfs-api is set but --ipfs-gateway is not/,
    );
    throwsWith(
      () => resolveIpfsEndpoints({ gateway: KUBO_DEFAULT_GATEWAY_URL }),
      /no IPFS API: set FEDSTR_IPFS_API \(Kubo's default http:\/\/127\.0\.0\.1:5001\)/,
    );
    throwsWith(
      () =>
        resolveIpfsEndpoints({
          url: "http://127.0.0.1:5081",
          api: KUBO_DEFAULT_API_URL,
          gateway: KUBO_DEFAULT_GATEWAY_URL,
        }),
      /FEDSTR_IPFS_URL \(http:\/\/127\.0\.0\.1:5081\) and FEDSTR_IPFS_API \(http:\/\/127\.0\.0\.1:5001\) disagree/,
    );
    throwsWith(
      () => resolveIpfsEndpoints({ api: "http://127.0.0.1:5001/api/v0", gateway: KUBO_DEFAULT_GATEWAY_URL }),
      /FEDSTR_IPFS_API must be the node's base URL, without \/api\/v0/,
    );
    throwsWith(
      () => resolveIpfsEndpoints({ api: KUBO_DEFAULT_API_URL, gateway: "http://127.0.0.1:8080/ipfs/" }),
      /FEDSTR_IPFS_GATEWAY must be the gateway's base URL, without \/ipfs/,
    );
    throwsWith(
      () => resolveIpfsEndpoints({ url: "ftp://x" }),
      /FEDSTR_IPFS_URL must be an http:\/\/ or https:\/\/ URL/,
    );
    throwsWith(
      () => resolveIpfsEndpoints({ url: "127.0.0.1:5001" }),
      /FEDSTR_IPFS_URL must be an http|FEDSTR_IPFS_URL is not a URL/,
    );
  });

  it("storeFromEnv: API + gateway give an IpfsHttpStore writing to one and reading from the other; a gateway alone is read-only", async () => {
    const s = await storeFromEnv({
      FEDSTR_IPFS_API: KUBO_DEFAULT_API_URL,
      FEDSTR_IPFS_GATEWAY: KUBO_DEFAULT_GATEWAY_URL,
    });
    expect(s).to.be.instanceOf(IpfsHttpStore);
    expect((s as IpfsHttpStore).url).to.equal(KUBO_DEFAULT_API_URL);
    expect((s as IpfsHttpStore).reader.base).to.equal(KUBO_DEFAULT_GATEWAY_URL);
    expect((await storeFromEnv({ FEDSTR_IPFS_GATEWAY: KUBO_DEFAULT_GATEWAY_URL })).kind).to.equal("gateway");
  });

  describe("loadConfig", () => {
    const cwd = mkdtempSync(join(tmpdir(), "fedstr-endpoints-"));
    const file = (storage: unknown): string => {
      const p = join(mkdtempSync(join(tmpdir(), "fedstr-endpoints-")), "fedstr.config.json");
      writeFileSync(p, JSON.stringify({ relays: ["ws://127.0.0.1:1"], storage }));
      return p;
    };

    it("reads the pair from flags, environment or the config file, and exposes it as storage.api / storage.gateway", async () => {
      const kubo = { kind: "ipfs", api: KUBO_DEFAULT_API_URL, gateway: KUBO_DEFAULT_GATEWAY_URL };
      expect(
        loadConfig({ ipfsApi: KUBO_DEFAULT_API_URL, ipfsGateway: KUBO_DEFAULT_GATEWAY_URL }, RELAYS, cwd).storage,
      ).to.deep.equal(kubo);
      expect(
        loadConfig(
          {},
          { ...RELAYS, FEDSTR_IPFS_API: KUBO_DEFAULT_API_URL, FEDSTR_IPFS_GATEWAY: KUBO_DEFAULT_GATEWAY_URL },
          cwd,
        ).storage,
      ).to.deep.equal(kubo);
      expect(
        loadConfig(
          { config: file({ kind: "ipfs", api: KUBO_DEFAULT_API_URL, gateway: KUBO_DEFAULT_GATEWAY_URL }) },
          {},
          cwd,
        ).storage,
      ).to.deep.equal(kubo);
      // The localnet's file form: one URL for the embedded node.
      expect(
        loadConfig({ config: file({ kind: "ipfs", url: "http://127.0.0.1:5081" }) }, {}, cwd).storage,
      ).to.deep.equal({ kind: "ipfs", api: "http://127.0.0.1:5081", gateway: "http://127.0.0.1:5081" });
      const store = (await storeFor(
        loadConfig({ ipfsApi: KUBO_DEFAULT_API_URL, ipfsGateway: KUBO_DEFAULT_GATEWAY_URL }, RELAYS, cwd),
      )) as IpfsHttpStore;
      expect([store.url, store.reader.base]).to.deep.equal([KUBO_DEFAULT_API_URL, KUBO_DEFAULT_GATEWAY_URL]);
    });

    it("takes the pair from one source: the environment's Kubo replaces the file's embedded node wholly, flags replace both", () => {
      const embedded = file({ kind: "ipfs", url: "http://127.0.0.1:5081" });
      expect(
        loadConfig(
          { config: embedded },
          { FEDSTR_IPFS_API: KUBO_DEFAULT_API_URL, FEDSTR_IPFS_GATEWAY: KUBO_DEFAULT_GATEWAY_URL },
          cwd,
        ).storage,
      ).to.deep.equal({ kind: "ipfs", api: KUBO_DEFAULT_API_URL, gateway: KUBO_DEFAULT_GATEWAY_URL });
      expect(
        loadConfig(
          { config: embedded, ipfsUrl: "http://127.0.0.1:6000" },
          { FEDSTR_IPFS_API: KUBO_DEFAULT_API_URL, FEDSTR_IPFS_GATEWAY: KUBO_DEFAULT_GATEWAY_URL },
          cwd,
        ).storage,
      ).to.deep.equal({ kind: "ipfs", api: "http://127.0.0.1:6000", gateway: "http://127.0.0.1:6000" });
      // A gateway alone on the command line does not borrow the file's API.
      throwsWith(
        () => loadConfig({ config: embedded, ipfsGateway: KUBO_DEFAULT_GATEWAY_URL }, {}, cwd),
        /no IPFS API: set --ipfs-api .*read together from the first of flags, environment and config file/,
        ConfigError,
      );
    });

    it("errors name the setting and its source", () => {
      throwsWith(
        () => loadConfig({ ipfsApi: KUBO_DEFAULT_API_URL }, RELAYS, cwd),
        /--ipfs-api is set but --ipfs-gateway is not/,
        ConfigError,
      );
      const f = file({ kind: "ipfs", api: KUBO_DEFAULT_API_URL });
      throwsWith(
        () => loadConfig({ config: f }, {}, cwd),
        new RegExp(
          `storage.api in ${f.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")} is set but storage.gateway in .* is not`,
        ),
        ConfigError,
      );
      throwsWith(
        () => loadConfig({ config: file({ kind: "ipfs", gatway: KUBO_DEFAULT_GATEWAY_URL }) }, {}, cwd),
        /unknown key storage\.gatway/,
        ConfigError,
      );
      throwsWith(
        () => loadConfig({}, RELAYS, cwd),
        /no IPFS node configured: pass --ipfs-url .* or --ipfs-api with --ipfs-gateway/,
        ConfigError,
      );
      expect(loadConfig({ ipfsGateway: "https://ipfs.io" }, RELAYS, cwd).storage).to.deep.equal({
        kind: "gateway",
        url: "https://ipfs.io",
      });
    });
  });
});
