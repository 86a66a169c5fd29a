"use client";
import { chainTime } from "@fedstr/sdk/job";
import { useConnection } from "@solana/wallet-adapter-react";
import { useQuery } from "@tanstack/react-query";
// The chain's clock (Clock sysvar), which every deadline is judged by. Polled every few seconds;
// between polls the countdown advances with the browser's monotonic clock from the last chain
// reading, so a skewed computer clock never moves a deadline.
import { useEffect, useState } from "react";
import { useFedstr } from "./fedstr";

export function useChainTime(): number | undefined {
  const { connection } = useConnection();
  const { key } = useFedstr();
  const q = useQuery({
    queryKey: [...key, "chain-time"],
    queryFn: async () => ({ chain: await chainTime(connection), at: performance.now() }),
    refetchInterval: 5_000,
  });
  const [, tick] = useState(0);
  useEffect(() => {
    const t = setInterval(() => tick((n) => n + 1), 1_000);
    return () => clearInterval(t);
  }, []);
  if (!q.data) return undefined;
  return q.data.chain + Math.floor((performance.now() - q.data.at) / 1000);
}
