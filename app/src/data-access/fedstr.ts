"use client";
import { AnchorProvider } from "@coral-xyz/anchor";
import { type FedstrProgram, getFedstrProgram } from "@fedstr/sdk/program";
import { useAnchorWallet, useConnection } from "@solana/wallet-adapter-react";
import { PublicKey, type Transaction, type VersionedTransaction } from "@solana/web3.js";
// The program handle, keyed by cluster and program id: every query key starts with fedstrKey().
import { useMemo } from "react";
import { useSettings } from "./settings";

// A provider needs a wallet even to read; a read-only one refuses to sign.
const READ_ONLY = {
  publicKey: PublicKey.default,
  signTransaction: async <T extends Transaction | VersionedTransaction>(_t: T): Promise<T> => {
    throw new Error("connect a wallet first");
  },
  signAllTransactions: async <T extends Transaction | VersionedTransaction>(_t: T[]): Promise<T[]> => {
    throw new Error("connect a wallet first");
  },
};

export function useFedstr(): {
  program: FedstrProgram;
  programId: PublicKey;
  cluster: string;
  rpcUrl: string;
  key: readonly [string, string, string];
} {
  const { connection } = useConnection();
  const wallet = useAnchorWallet();
  const { config } = useSettings();
  return useMemo(() => {
    const programId = new PublicKey(config.programId);
    const provider = new AnchorProvider(connection, wallet ?? READ_ONLY, { commitment: "confirmed" });
    return {
      program: getFedstrProgram(provider, programId),
      programId,
      cluster: config.cluster,
      rpcUrl: config.rpcUrl,
      key: [config.cluster, config.rpcUrl, config.programId] as const,
    };
  }, [connection, wallet, config.programId, config.cluster, config.rpcUrl]);
}

/** Explorer link for a transaction or an address on the configured cluster (localnet: the custom RPC URL). */
export function explorerUrl(kind: "tx" | "address", id: string, cluster: string, rpcUrl: string): string {
  const q =
    cluster === "mainnet-beta"
      ? ""
      : cluster === "localnet"
        ? `?cluster=custom&customUrl=${encodeURIComponent(rpcUrl)}`
        : `?cluster=${cluster}`;
  return `https://explorer.solana.com/${kind}/${id}${q}`;
}

export function useExplorer() {
  const { config } = useSettings();
  return (kind: "tx" | "address", id: string) => explorerUrl(kind, id, config.cluster, config.rpcUrl);
}
