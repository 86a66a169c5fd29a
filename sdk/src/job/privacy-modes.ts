/**
 * What each privacy mode of a job lets whom read, in the words shown where a participant decides
 * (job request, `fedstr join`, the web app). Kept apart from @fedstr/sdk/privacy so that pages which
 * only show a mode do not load the HPKE code that seals and opens updates.
 */
export const PRIVACY_SUMMARY: Record<"public" | "sealed", string> = {
  public: "public: anyone can read every update on IPFS and recompute every round",
  sealed:
    "sealed: only the aggregator can read your updates (and whoever it later gives a round's key, e.g. the organization or an auditor); the global models are public",
};
