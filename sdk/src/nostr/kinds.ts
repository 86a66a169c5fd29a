/**
 * fedstr's NIP-90 kinds.
 *
 * 5720 was unassigned in the NIP-90 DVM kind registry
 * (nostr-protocol/data-vending-machines, kinds/: 5000-5002, 5004, 5050,
 * 5100-5107, 52xx, 53xx, 5400, 5500, 5600, 5900-5999 taken; 5700-5899 free).
 */
export const KIND_FL_JOB_REQUEST = 5720;
/** Job result = request kind + 1000 (NIP-90). */
export const KIND_FL_JOB_RESULT = KIND_FL_JOB_REQUEST + 1000;
/** NIP-90 job feedback. */
export const KIND_JOB_FEEDBACK = 7000;

export const FEDSTR_KINDS = [KIND_FL_JOB_REQUEST, KIND_FL_JOB_RESULT, KIND_JOB_FEEDBACK] as const;

/** Topic tag on every fedstr job request so generic NIP-90 clients can find them. */
export const FEDSTR_TOPIC = "fedstr";

export const FEEDBACK_STATUSES = ["stake-required", "processing", "partial", "success", "error"] as const;
export type FeedbackStatus = (typeof FEEDBACK_STATUSES)[number];
/**
 * Recipients (`p` tags) one feedback event may name: 200 keys are ~15 KB of tags, well under the
 * 64 KiB that relays and the EventReader take per event.
 */
export const MAX_FEEDBACK_RECIPIENTS = 200;

export const SOLANA_CLUSTERS = ["localnet", "devnet", "testnet", "mainnet-beta"] as const;
export type SolanaCluster = (typeof SOLANA_CLUSTERS)[number];
