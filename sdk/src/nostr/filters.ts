/**
 * REQ filters for the three fedstr subscriptions. Relays index single-letter
 * tags only, so these use `#t`, `#e` and `#p`; everything else is checked by
 * the EventReader.
 */
import type { Filter } from "nostr-tools/filter";
import { FEDSTR_TOPIC, KIND_FL_JOB_REQUEST, KIND_FL_JOB_RESULT, KIND_JOB_FEEDBACK } from "./kinds.js";

export interface SinceOption {
  since?: number;
}

/** fedstr job requests (optionally from given publishers). */
export function jobRequestsFilter(options: SinceOption & { authors?: string[] } = {}): Filter {
  return {
    kinds: [KIND_FL_JOB_REQUEST],
    "#t": [FEDSTR_TOPIC],
    ...(options.authors != null ? { authors: options.authors } : {}),
    ...(options.since != null ? { since: options.since } : {}),
  };
}

/** Results for one job addressed to the aggregator, optionally only from given Nostr keys (the participants'). */
export function jobResultsFilter(
  jobId: string,
  aggregator: string,
  options: SinceOption & { authors?: string[] } = {},
): Filter {
  return {
    kinds: [KIND_FL_JOB_RESULT],
    "#e": [jobId],
    "#p": [aggregator],
    ...(options.authors != null ? { authors: options.authors } : {}),
    ...(options.since != null ? { since: options.since } : {}),
  };
}

/** Feedback for one job, from its aggregator/requester, optionally only what is addressed to `recipient`. */
export function jobFeedbackFilter(
  jobId: string,
  options: SinceOption & { from?: string[]; recipient?: string } = {},
): Filter {
  return {
    kinds: [KIND_JOB_FEEDBACK],
    "#e": [jobId],
    ...(options.recipient != null ? { "#p": [options.recipient] } : {}),
    ...(options.from != null ? { authors: options.from } : {}),
    ...(options.since != null ? { since: options.since } : {}),
  };
}
