/**
 * fedstr's NIP-90 job protocol over Nostr relays: @fedstr/sdk/nostr in a browser (the package's
 * "browser" export condition) is everything but the embedded relay server (SQLite, ws);
 * index.ts re-exports this file and adds that.
 * See docs/protocol.md for the event kinds and an example of each.
 */
export * from './kinds.js'
export {
  BINDING_TAG, NOSTR_TEXT, SOLANA_TEXT, createBinding, checkBinding, verifyBinding, bindingToTag, bindingFromTags,
  solanaSignerFromSecretKey, nostrBindingMessage, solanaBindingMessage,
  type IdentityBinding, type SolanaMessageSigner
} from './binding.js'
export {
  ProtocolError, isHexPubkey, isSolanaAddress, isFedstrCidString,
  jobRequestTemplate, buildJobRequest, parseJobRequest, PRIVACY_MODES,
  resultTemplate, buildResult, parseResult, checkResultPayload,
  feedbackTemplate, buildFeedback, parseFeedback,
  type ProtocolErrorReason, type TokenAmount, type JobRequest, type PrivacyMode, type BuildOptions,
  type ResultPayload, type BuildResultParams, type JobResult, type JobFeedback,
  type Event, type VerifiedEvent
} from './events.js'
export {
  EventReader, emptyCounters,
  type ValidationCounters, type RejectReason, type AcceptedEvent, type EventReaderOptions
} from './reader.js'
export { queryEvents } from './query.js'
export { WALLET_NOSTR_KEY_MESSAGE, walletNostrKeyMessage, nostrKeyFromWalletSignature } from './wallet-key.js'
export { jobRequestsFilter, jobResultsFilter, jobFeedbackFilter, type SinceOption } from './filters.js'
export {
  RelayPool, backoffDelay,
  type BackoffOptions, type Timers, type RelayPoolOptions, type RelayStatus, type PublishOutcome, type SubscribeParams, type PoolSubscription
} from './relay-pool.js'
export { generateSecretKey, getPublicKey } from 'nostr-tools/pure'
