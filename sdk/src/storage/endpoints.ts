/**
 * Where an IPFS node takes writes — its RPC API (`POST /api/v0/add`) — and serves verified reads —
 * its trustless gateway (`GET /ipfs/<cid>?format=raw|car`). The embedded fedstr node serves both on
 * one URL; Kubo serves them on two ports (API 5001, gateway 8080), and its API port answers 404 to
 * /ipfs/ paths. One resolution for every front end (flags, environment, config file, the web app's
 * settings), with the same errors. No Node-only imports: browsers use it too.
 */

/** Kubo's default RPC API address (`Addresses.API`, /ip4/127.0.0.1/tcp/5001). */
export const KUBO_DEFAULT_API_URL = "http://127.0.0.1:5001";
/** Kubo's default gateway address (`Addresses.Gateway`, /ip4/127.0.0.1/tcp/8080). */
export const KUBO_DEFAULT_GATEWAY_URL = "http://127.0.0.1:8080";

/** The resolved pair: base URLs, no trailing slash. */
export interface IpfsEndpoints {
  /** RPC API base (`/api/v0/add` is appended). */
  apiUrl: string;
  /** Gateway base (`/ipfs/<cid>` is appended). */
  gatewayUrl: string;
}

/** What a user set (undefined or '' = not set). */
export interface IpfsEndpointSettings {
  /** One URL for both (the embedded node); the API alone when `gateway` is also set. */
  url?: string | undefined;
  /** The RPC API (Kubo: http://127.0.0.1:5001). */
  api?: string | undefined;
  /** The gateway (Kubo: http://127.0.0.1:8080). */
  gateway?: string | undefined;
}

/** How the settings are called where they came from, for error messages (e.g. `--ipfs-api`, `FEDSTR_IPFS_API`). */
export interface IpfsEndpointNames {
  url: string;
  api: string;
  gateway: string;
}

export const IPFS_ENV_NAMES: IpfsEndpointNames = {
  url: "FEDSTR_IPFS_URL",
  api: "FEDSTR_IPFS_API",
  gateway: "FEDSTR_IPFS_GATEWAY",
};
export const IPFS_FLAG_NAMES: IpfsEndpointNames = { url: "--ipfs-url", api: "--ipfs-api", gateway: "--ipfs-gateway" };

/** Bad or inconsistent IPFS endpoint settings. Not retried. */
export class IpfsEndpointError extends Error {
  override name = "IpfsEndpointError";
  readonly permanent = true;
}

const given = (v: string | undefined): v is string => v !== undefined && v !== "";

/** Whether any endpoint is set. */
export function namesIpfsEndpoint(s: IpfsEndpointSettings): boolean {
  return given(s.url) || given(s.api) || given(s.gateway);
}

/** A base URL: http(s), no query or fragment, not ending in the path the store appends itself. */
export function ipfsBaseUrl(value: string, name: string, role: "api" | "gateway" | "both"): string {
  let u: URL;
  try {
    u = new URL(value);
  } catch {
    throw new IpfsEndpointError(`${name} is not a URL: ${JSON.stringify(value)}`);
  }
  if (u.protocol !== "http:" && u.protocol !== "https:")
    throw new IpfsEndpointError(`${name} must be an http:// or https:// URL, got ${JSON.stringify(value)}`);
  if (u.search !== "" || u.hash !== "")
    throw new IpfsEndpointError(`${name} must be a base URL without ?query or #fragment, got ${JSON.stringify(value)}`);
  const path = u.pathname.replace(/\/+$/, "");
  if (role !== "gateway" && /\/api\/v0$/.test(path))
    throw new IpfsEndpointError(
      `${name} must be the node's base URL, without /api/v0 (e.g. ${KUBO_DEFAULT_API_URL}), got ${JSON.stringify(value)}`,
    );
  if (role !== "api" && /\/ipfs$/.test(path))
    throw new IpfsEndpointError(
      `${name} must be the gateway's base URL, without /ipfs (e.g. ${KUBO_DEFAULT_GATEWAY_URL}), got ${JSON.stringify(value)}`,
    );
  return `${u.origin}${path}`;
}

/**
 * The API and gateway from one source's settings:
 * - `url` alone: one node serving both (the embedded fedstr node);
 * - `api` + `gateway` (Kubo: http://127.0.0.1:5001 + http://127.0.0.1:8080); `url` + `gateway` is read as the same;
 * - `api` without a gateway, or `url` and `api` naming different URLs, are errors that say what to set.
 */
export function resolveIpfsEndpoints(
  s: IpfsEndpointSettings,
  names: IpfsEndpointNames = IPFS_ENV_NAMES,
): IpfsEndpoints {
  const url = given(s.url) ? ipfsBaseUrl(s.url, names.url, given(s.gateway) ? "api" : "both") : undefined;
  const api = given(s.api) ? ipfsBaseUrl(s.api, names.api, "api") : undefined;
  const gateway = given(s.gateway) ? ipfsBaseUrl(s.gateway, names.gateway, "gateway") : undefined;
  if (url !== undefined && api !== undefined && url !== api) {
    throw new IpfsEndpointError(
      `${names.url} (${url}) and ${names.api} (${api}) disagree: ${names.url} is one URL for a node that serves both its API and its gateway; for Kubo set ${names.api} and ${names.gateway}`,
    );
  }
  const apiUrl = api ?? url;
  if (apiUrl === undefined) {
    throw new IpfsEndpointError(
      `no IPFS API: set ${names.api} (Kubo's default ${KUBO_DEFAULT_API_URL}) with ${names.gateway} (Kubo's default ${KUBO_DEFAULT_GATEWAY_URL}), or ${names.url} for a node that serves both on one URL`,
    );
  }
  if (gateway === undefined && url === undefined) {
    throw new IpfsEndpointError(
      `${names.api} is set but ${names.gateway} is not: Kubo serves its gateway on another port than its API (defaults ${KUBO_DEFAULT_GATEWAY_URL} and ${KUBO_DEFAULT_API_URL}); set ${names.gateway}, or use ${names.url} alone for a node that serves both on one URL`,
    );
  }
  return { apiUrl, gatewayUrl: gateway ?? apiUrl };
}
