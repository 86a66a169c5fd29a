"use client";
import type { RelayPool, RelayStatus } from "@fedstr/sdk/nostr";
import { useQuery } from "@tanstack/react-query";
// The relays (one RelayPool per relay list, reconnecting with back-off), their status for the
// banner, and the job's events: the job request and the aggregator's feedback with the round
// report references. Events are verified by the SDK's EventReader (id, signature, schema).
import { useEffect, useMemo, useState, useSyncExternalStore } from "react";
import { useSettings } from "./settings";

const HISTORY = 10 * 365 * 86400;

// The Nostr code is loaded after the first paint (it is not needed to draw a page); imports are
// destructured so webpack keeps only what is used.

class RelayHub {
  private statuses = new Map<string, RelayStatus>();
  private listeners = new Set<() => void>();
  private snapshot: RelayStatus[];
  /** Resolves with the started pool (connected to what it could reach; it keeps reconnecting). */
  readonly ready: Promise<RelayPool>;
  constructor(readonly urls: string[]) {
    this.snapshot = urls.map((u) => this.blank(u));
    this.ready = (async () => {
      const { RelayPool } = await import("@fedstr/sdk/nostr");
      const pool = new RelayPool(urls, { onStatus: (s) => this.update(s) });
      for (const s of await pool.start()) this.update(s);
      return pool;
    })();
  }
  private blank(url: string): RelayStatus {
    return { url, connected: false, attempts: 0, retryInMs: undefined, queued: 0, lastError: undefined };
  }
  private update(s: RelayStatus) {
    this.statuses.set(s.url, s);
    this.snapshot = this.urls.map((u) => this.statuses.get(u) ?? this.blank(u));
    for (const l of this.listeners) l();
  }
  subscribe = (l: () => void) => {
    this.listeners.add(l);
    return () => void this.listeners.delete(l);
  };
  getSnapshot = () => this.snapshot;
}

const hubs = new Map<string, RelayHub>();

export function useRelayHub(): RelayHub {
  const { config } = useSettings();
  const id = config.relays.join(",");
  return useMemo(() => {
    let h = hubs.get(id);
    if (!h) hubs.set(id, (h = new RelayHub(config.relays)));
    return h;
  }, [id, config.relays]);
}

export function useRelayStatus(): { statuses: RelayStatus[]; anyConnected: boolean; started: boolean } {
  const hub = useRelayHub();
  const statuses = useSyncExternalStore(hub.subscribe, hub.getSnapshot, hub.getSnapshot);
  const [started, setStarted] = useState(false);
  useEffect(() => {
    let live = true;
    void hub.ready.then(() => live && setStarted(true));
    return () => void (live = false);
  }, [hub]);
  return { statuses, anyConnected: statuses.some((s) => s.connected), started };
}

export function useJobRequest(jobId: string | undefined) {
  const hub = useRelayHub();
  const { anyConnected } = useRelayStatus();
  return useQuery({
    queryKey: ["nostr", hub.urls.join(","), "job", jobId ?? ""],
    enabled: !!jobId && anyConnected,
    queryFn: async () => {
      const { fetchJobRequest } = await import("@fedstr/sdk/job");
      return (await fetchJobRequest(await hub.ready, jobId!, { timeoutMs: 5_000 })) ?? null;
    },
    refetchInterval: (q) => (q.state.data ? false : 10_000),
  });
}

/**
 * The aggregator's feedback for a job: its statuses and whether it has been heard from at all
 * (any verified feedback from the job's aggregator). Round reports are found from the chain.
 */
export function useAggregatorFeedback(jobId: string | undefined, aggregator: string | undefined, live: boolean) {
  const hub = useRelayHub();
  const { anyConnected } = useRelayStatus();
  return useQuery({
    queryKey: ["nostr", hub.urls.join(","), "feedback", jobId ?? "", aggregator ?? ""],
    enabled: !!jobId && !!aggregator && anyConnected,
    refetchInterval: live ? 5_000 : 30_000,
    queryFn: async () => {
      const { EventReader, KIND_JOB_FEEDBACK, jobFeedbackFilter, queryEvents } = await import("@fedstr/sdk/nostr");
      const events = await queryEvents(await hub.ready, [jobFeedbackFilter(jobId!, { from: [aggregator!] })], {
        timeoutMs: 5_000,
      });
      const reader = new EventReader({ kinds: [KIND_JOB_FEEDBACK], maxAgeSec: HISTORY });
      reader.followJob(jobId!, [aggregator!]);
      let heard = 0;
      const statuses: { status: string; round?: number; message?: string; at: number }[] = [];
      for (const e of events) {
        const a = reader.accept(e);
        if (a?.type !== "feedback") continue;
        heard++;
        statuses.push({
          status: a.feedback.status,
          ...(a.feedback.round !== undefined ? { round: a.feedback.round } : {}),
          at: e.created_at,
        });
      }
      return { heard, statuses: statuses.sort((a, b) => b.at - a.at) };
    },
  });
}
