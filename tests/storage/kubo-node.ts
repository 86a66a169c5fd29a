/**
 * A real, stock Kubo node for the tests: the `ipfs` binary that scripts/build-kubo.sh builds from
 * the Go module proxy (`make test` runs it), started on loopback with a throw-away repo
 * (`ipfs init --profile test`: API and gateway on free loopback ports, no bootstrap peers, no mDNS)
 * and `ipfs daemon --offline`, so it never reaches the network and answers at once for blocks it lacks.
 */
import { execFile, spawn } from "node:child_process";
import { existsSync } from "node:fs";
import { mkdtemp, rm } from "node:fs/promises";
import { homedir, tmpdir } from "node:os";
import { join } from "node:path";
import { createInterface } from "node:readline";
import { promisify } from "node:util";

export const KUBO_BIN = join(process.env.FEDSTR_CACHE_DIR ?? join(homedir(), ".cache/fedstr"), "bin/ipfs");

export interface KuboNode {
  /** RPC API base URL (Kubo's default would be http://127.0.0.1:5001). */
  api: string;
  /** Gateway base URL (Kubo's default would be http://127.0.0.1:8080). */
  gateway: string;
  version: string;
  repo: string;
  /** `ipfs add` through the RPC API with Kubo's own options (e.g. `{ trickle: 'true', chunker: 'rabin' }`); returns the root CID. */
  add: (bytes: Uint8Array, params?: Record<string, string>) => Promise<string>;
  /** `ipfs pin rm <root>` then `ipfs block rm <block>`: the DAG of `root` loses one block. */
  removeBlock: (root: string, block: string) => Promise<void>;
  /** `ipfs refs -r <cid>`: the CIDs of every block under the root, in DAG order. */
  refs: (cid: string) => Promise<string[]>;
  stop: () => Promise<void>;
}

const run = promisify(execFile);

export async function startKubo(): Promise<KuboNode> {
  if (!existsSync(KUBO_BIN))
    throw new Error(`no Kubo binary at ${KUBO_BIN}: run \`bash scripts/build-kubo.sh\` (\`make test\` does)`);
  const repo = await mkdtemp(join(tmpdir(), "fedstr-kubo-"));
  const env = { ...process.env, IPFS_PATH: repo };
  await run(KUBO_BIN, ["init", "--profile", "test"], { env });
  const daemon = spawn(KUBO_BIN, ["daemon", "--offline"], { env, stdio: ["ignore", "pipe", "pipe"] });
  let stderr = "";
  daemon.stderr.on("data", (d: Buffer) => {
    stderr += d.toString();
  });
  const exited = new Promise<number | null>((resolve) => daemon.on("exit", (code) => resolve(code)));
  const addr = (ma: string): string => {
    const m = /^\/ip4\/([0-9.]+)\/tcp\/([0-9]+)/.exec(ma);
    if (m == null) throw new Error(`unexpected Kubo listen address ${ma}`);
    return `http://${m[1]}:${m[2]}`;
  };
  let api: string | undefined;
  let gateway: string | undefined;
  const ready = new Promise<void>((resolve, reject) => {
    const lines = createInterface({ input: daemon.stdout });
    lines.on("line", (line) => {
      const rpc = /^RPC API server listening on (\S+)/.exec(line);
      if (rpc != null) api = addr(rpc[1]!);
      const gw = /^Gateway server listening on (\S+)/.exec(line);
      if (gw != null) gateway = addr(gw[1]!);
      if (/^Daemon is ready/.test(line)) {
        if (api != null && gateway != null) resolve();
        else
          reject(
            new Error(`Kubo is ready but did not print its API and gateway addresses (api ${api}, gateway ${gateway})`),
          );
      }
    });
    void exited.then((code) =>
      reject(new Error(`ipfs daemon exited with ${code} before it was ready: ${stderr.slice(-500)}`)),
    );
  });
  try {
    await ready;
  } catch (e) {
    daemon.kill("SIGKILL");
    await rm(repo, { recursive: true, force: true });
    throw e;
  }

  const rpc = async (path: string, params: Record<string, string>, body?: FormData): Promise<string> => {
    const u = new URL(`${api!}/api/v0/${path}`);
    for (const [k, v] of Object.entries(params)) u.searchParams.append(k, v);
    const res = await fetch(u, { method: "POST", ...(body != null ? { body } : {}) });
    const text = await res.text();
    if (!res.ok) throw new Error(`Kubo ${path} answered ${res.status}: ${text.slice(0, 300)}`);
    return text;
  };
  const version = (JSON.parse(await rpc("version", {})) as { Version: string }).Version;
  return {
    api: api!,
    gateway: gateway!,
    version,
    repo,
    add: async (bytes, params = {}) => {
      const form = new FormData();
      form.append("file", new Blob([bytes]), "file");
      const lines = (await rpc("add", { "cid-version": "1", pin: "true", progress: "false", ...params }, form))
        .trim()
        .split("\n");
      return (JSON.parse(lines[lines.length - 1]!) as { Hash: string }).Hash;
    },
    removeBlock: async (root, block) => {
      await rpc("pin/rm", { arg: root }); // blocks under a recursive pin cannot be removed
      const out = await rpc("block/rm", { arg: block });
      if (/"Error":"[^"]/.test(out)) throw new Error(`Kubo block rm ${block}: ${out}`);
    },
    refs: async (cid) =>
      (await rpc("refs", { arg: cid, recursive: "true" }))
        .trim()
        .split("\n")
        .filter(Boolean)
        .map((l) => (JSON.parse(l) as { Ref: string }).Ref),
    stop: async () => {
      daemon.kill("SIGTERM");
      const t = setTimeout(() => daemon.kill("SIGKILL"), 10_000);
      await exited;
      clearTimeout(t);
      await rm(repo, { recursive: true, force: true });
    },
  };
}
