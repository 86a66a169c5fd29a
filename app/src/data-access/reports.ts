"use client";
import { type ContentRef, decodeRoundReport, type RoundReport, reportMismatch, reportRefOf } from "@fedstr/sdk/job";
import type { RoundResultAccount } from "@fedstr/sdk/program";
import type { GatewayReader } from "@fedstr/sdk/storage";
// Round reports: fetched by CID through the configured gateway, verified against the CID by the
// SDK's storage code and against the sha256 the chain records, then checked against the posted round.
import { useQueries } from "@tanstack/react-query";
import { useFedstr } from "./fedstr";
import { useSettings } from "./settings";

/** The verified gateway reader, loaded on first use (keeps the IPFS code out of the first load). */
export function useGateway(): () => Promise<{ reader: GatewayReader; sha256Hex: (b: Uint8Array) => string }> {
  const { config } = useSettings();
  return async () => {
    const { GatewayReader, sha256Hex } = await import("@fedstr/sdk/storage");
    return {
      reader: new GatewayReader({
        gatewayUrl: config.gateway,
        ...(config.gatewayQuery ? { query: config.gatewayQuery } : {}),
        timeoutMs: 20_000,
      }),
      sha256Hex,
    };
  };
}

export type FoundReport = { report: RoundReport; ref: ContentRef } | { error: string };

/**
 * The reports of a pool's posted rounds, one query each: `post_round` anchors each report's CID and
 * sha256 in the RoundResult, so a report is found chain -> IPFS (relays only say that it is there).
 */
export function useRoundReports(pool: string | undefined, rounds: { round: number; result: RoundResultAccount }[]) {
  const { config } = useSettings();
  const { key } = useFedstr();
  const gateway = useGateway();
  return useQueries({
    queries: rounds.map(({ round, result }) => {
      const ref = reportRefOf(result);
      return {
        queryKey: [...key, "report", pool ?? "", round, ref.cid],
        enabled: !!pool,
        staleTime: Infinity,
        queryFn: async (): Promise<FoundReport> => {
          try {
            const { reader, sha256Hex } = await gateway();
            const bytes = await reader.get(ref.cid);
            if (sha256Hex(bytes) !== ref.sha256)
              return { error: `report ${ref.cid}: sha256 differs from the one on chain` };
            const report = decodeRoundReport(bytes);
            const why = reportMismatch(report, { programId: config.programId, pool: pool!, round, result });
            return why ? { error: `report ${ref.cid} ${why}` } : { report, ref };
          } catch (e) {
            return { error: `report ${ref.cid}: ${(e as Error).message}` };
          }
        },
      };
    }),
  });
}
