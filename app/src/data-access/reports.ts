"use client";
// Round reports: fetched by CID through the configured gateway, verified against the CID by the
// SDK's storage code and against the feedback's sha256, then checked against the posted round.
import { useQueries } from "@tanstack/react-query";
import type { GatewayReader } from "@fedstr/sdk/storage";
import { decodeRoundReport, reportMismatch, type ContentRef, type RoundReport } from "@fedstr/sdk/job";
import type { RoundResultAccount } from "@fedstr/sdk/program";
import { useSettings } from "./settings";
import { useFedstr } from "./fedstr";

/** The verified gateway reader, loaded on first use (keeps the IPFS code out of the first load). */
export function useGateway(): () => Promise<{ reader: GatewayReader; sha256Hex: (b: Uint8Array) => string }> {
  const { config } = useSettings();
  return async () => {
    const { GatewayReader, sha256Hex } = await import("@fedstr/sdk/storage");
    return { reader: new GatewayReader({ gatewayUrl: config.gateway, ...(config.gatewayQuery ? { query: config.gatewayQuery } : {}), timeoutMs: 20_000 }), sha256Hex };
  };
}

export type FoundReport = { report: RoundReport; ref: ContentRef } | { error: string };

/**
 * The reports of a pool's posted rounds, one query each.
 * after program merge: RoundResult carries reportCid/reportSha256; take each round's ref from its
 * result instead of the aggregator's feedback (`refs`), and keep the checks.
 */
export function useRoundReports(pool: string | undefined, rounds: { round: number; result: RoundResultAccount }[], refs: Map<number, ContentRef[]> | undefined) {
  const { config } = useSettings();
  const { key } = useFedstr();
  const gateway = useGateway();
  return useQueries({
    queries: rounds.map(({ round, result }) => {
      const list = refs?.get(round) ?? [];
      return {
        queryKey: [...key, "report", pool ?? "", round, list.map((r) => r.cid).join(",")],
        enabled: !!pool && refs !== undefined,
        staleTime: Infinity,
        queryFn: async (): Promise<FoundReport> => {
          if (list.length === 0) return { error: `no round report for round ${round} in the aggregator's feedback yet` };
          const problems: string[] = [];
          const { reader, sha256Hex } = await gateway();
          for (const ref of list) {
            try {
              const bytes = await reader.get(ref.cid);
              if (sha256Hex(bytes) !== ref.sha256) { problems.push(`report ${ref.cid}: sha256 differs from the feedback's`); continue; }
              const report = decodeRoundReport(bytes);
              const why = reportMismatch(report, { programId: config.programId, pool: pool!, round, result });
              if (why) { problems.push(`report ${ref.cid} ${why}`); continue; }
              return { report, ref };
            } catch (e) {
              problems.push(`report ${ref.cid}: ${(e as Error).message}`);
            }
          }
          return { error: problems.join("; ") };
        },
      };
    }),
  });
}
