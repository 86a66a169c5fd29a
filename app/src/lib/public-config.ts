/** What the server tells the browser about the network (never a secret: no Pinata JWT, no key paths). */
export interface PublicConfig {
  cluster: "localnet" | "devnet" | "testnet" | "mainnet-beta";
  rpcUrl: string;
  wsUrl?: string;
  programId: string;
  relays: string[];
  /** Where the browser reads IPFS content (verified against the CID). */
  gateway: string;
  /** Query parameters a gateway needs on every read (Pinata's gateway key). */
  gatewayQuery?: Record<string, string>;
  /** How the server stores uploads: the embedded node / a Kubo API, Pinata, ... */
  storage: string;
  mint?: string;
  /** The config file the server read, if any. */
  source?: string;
  error?: string;
}

/** The user's choices in Settings, kept in localStorage; unset fields fall back to the server's config. */
export interface SettingsOverrides {
  cluster?: PublicConfig["cluster"];
  rpcUrl?: string;
  wsUrl?: string;
  relays?: string[];
  gateway?: string;
}

export function applyOverrides(base: PublicConfig, o: SettingsOverrides): PublicConfig {
  const rpcChanged = o.rpcUrl !== undefined && o.rpcUrl !== base.rpcUrl;
  return {
    ...base,
    ...(o.cluster ? { cluster: o.cluster } : {}),
    ...(o.rpcUrl ? { rpcUrl: o.rpcUrl } : {}),
    // A websocket URL belongs to its RPC: drop the server's when the user picked another RPC.
    ...(o.wsUrl ? { wsUrl: o.wsUrl } : rpcChanged ? { wsUrl: undefined } : {}),
    ...(o.relays && o.relays.length > 0 ? { relays: o.relays } : {}),
    ...(o.gateway ? { gateway: o.gateway } : {}),
  };
}
