/**
 * fedstr's NIP-90 job protocol over Nostr relays: @fedstr/sdk/nostr in a browser (the package's
 * "browser" export condition) is everything but the embedded relay server (SQLite, ws);
 * index.ts re-exports this file and adds that.
 * See docs/protocol.md for the event kinds and an example of each.
 */

export { generateSecretKey, getPublicKey } from "nostr-tools/pure";
export {
  BINDING_TAG,
  bindingFromTags,
  bindingToTag,
  checkBinding,
  createBinding,
  type IdentityBinding,
  NOSTR_TEXT,
  nostrBindingMessage,
  SOLANA_TEXT,
  type SolanaMessageSigner,
  solanaBindingMessage,
  solanaSignerFromSecretKey,
  verifyBinding,
} from "./binding.js";
export {
  type BuildOptions,
  type BuildResultParams,
  buildFeedback,
  buildJobRequest,
  buildResult,
  checkResultPayload,
  type Event,
  feedbackForMany,
  feedbackTemplate,
  isFedstrCidString,
  isHexPubkey,
  isSolanaAddress,
  type JobFeedback,
  type JobRequest,
  type JobResult,
  jobRequestTemplate,
  PRIVACY_MODES,
  type PrivacyMode,
  ProtocolError,
  type ProtocolErrorReason,
  parseFeedback,
  parseJobRequest,
  parseResult,
  type ResultPayload,
  resultTemplate,
  type TokenAmount,
  type VerifiedEvent,
} from "./events.js";
export { jobFeedbackFilter, jobRequestsFilter, jobResultsFilter, type SinceOption } from "./filters.js";
export * from "./kinds.js";
export { queryEvents } from "./query.js";
export {
  type AcceptedEvent,
  EventReader,
  type EventReaderOptions,
  emptyCounters,
  type RejectReason,
  type ValidationCounters,
} from "./reader.js";
export {
  type BackoffOptions,
  backoffDelay,
  type PoolSubscription,
  type PublishOutcome,
  RelayPool,
  type RelayPoolOptions,
  type RelayStatus,
  type SubscribeParams,
  type Timers,
} from "./relay-pool.js";
export { nostrKeyFromWalletSignature, WALLET_NOSTR_KEY_MESSAGE, walletNostrKeyMessage } from "./wallet-key.js";
