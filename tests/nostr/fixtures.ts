import { randomBytes } from "node:crypto";
import { base58 } from "@scure/base";
import { generateSecretKey, getPublicKey } from "nostr-tools/pure";
import {
  createBinding,
  type IdentityBinding,
  type JobRequest,
  type SolanaMessageSigner,
  solanaSignerFromSecretKey,
} from "../../sdk/src/nostr/index.js";

export const T0 = 1_763_700_000; // fixed "now" for injected clocks

export function solanaAddress(): string {
  return base58.encode(randomBytes(32));
}

export interface Actor {
  sk: Uint8Array;
  pk: string;
  solana: SolanaMessageSigner;
  binding: IdentityBinding;
}

export async function actor(): Promise<Actor> {
  const sk = generateSecretKey();
  const solana = solanaSignerFromSecretKey(randomBytes(32));
  return { sk, pk: getPublicKey(sk), solana, binding: await createBinding(sk, solana) };
}

export function sampleJob(aggregator: string, overrides: Partial<JobRequest> = {}): JobRequest {
  return {
    programId: solanaAddress(),
    cluster: "localnet",
    pool: solanaAddress(),
    planCid: "bafkreigh2akiscaildcqabsyg3dfr6chu3fgpregiymsck7e7aqa4s52zy",
    initialModelCid: "bafybeiapkjtw3tgd65bngbp7nqypug67syhxxqgwsxiuh7lk5cxrxkwgpu",
    rounds: 3,
    reward: { amount: "1000000000" },
    stake: { amount: "50000000" },
    deadlines: { join: T0 + 3600, end: T0 + 4 * 3600, roundSeconds: 600 },
    relays: ["ws://127.0.0.1:7447"],
    aggregator,
    privacy: "sealed",
    seal: {
      id: "0123456789abcdef0123456789abcdef",
      keys: [
        "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa",
        "bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb",
        "cccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccc",
      ],
    },
    ...overrides,
  };
}
