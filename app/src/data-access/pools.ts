"use client";
import { fetchPoolMint, type PoolMintInfo, type PoolSummary, summarizePool } from "@fedstr/sdk/job";
import {
  type FedstrEvent,
  type FedstrProgram,
  fetchCommitmentsOfRound,
  fetchParticipant,
  fetchParticipantsOfPool,
  fetchPool,
  fetchRoundResultsOfPool,
  findEscrowAddress,
  findParticipantAddress,
  findStakeVaultAddress,
  type ParticipantAccount,
  type PoolAccount,
  PoolStatus,
  parseFedstrEvents,
  type RoundResultAccount,
} from "@fedstr/sdk/program";
import { getAssociatedTokenAddressSync, getMint } from "@solana/spl-token";
import { useConnection } from "@solana/wallet-adapter-react";
import { PublicKey } from "@solana/web3.js";
import { useQuery, useQueryClient } from "@tanstack/react-query";
// Pool accounts and what hangs off them, each a query keyed by cluster, RPC, program and account.
// A pool page subscribes to the pool account (and polls while it runs), so it updates live.
import { useEffect } from "react";
import { useFedstr } from "./fedstr";

export interface PoolRow {
  address: PublicKey;
  account: PoolAccount;
  summary: PoolSummary;
}

export function parseAddress(s: string | undefined): PublicKey | undefined {
  if (!s) return undefined;
  try {
    return new PublicKey(s);
  } catch {
    return undefined;
  }
}

export function usePools() {
  const { program, key } = useFedstr();
  const { connection } = useConnection();
  return useQuery({
    queryKey: [...key, "pools"],
    queryFn: async (): Promise<PoolRow[]> => {
      const all = await program.account.pool.all();
      // Pools mostly share a mint: read each distinct mint once (its freeze authority is in the summary).
      const mints = new Map<string, Promise<PoolMintInfo>>();
      for (const a of all) {
        const m = a.account.mint.toBase58();
        if (!mints.has(m)) mints.set(m, fetchPoolMint(connection, a.account.mint));
      }
      const rows = await Promise.all(
        all.map(async (a) => ({
          address: a.publicKey,
          account: a.account,
          summary: summarizePool(a.publicKey, a.account, await mints.get(a.account.mint.toBase58())!),
        })),
      );
      return rows.sort((a, b) => Number(b.account.joinDeadline.toString()) - Number(a.account.joinDeadline.toString()));
    },
    refetchInterval: 10_000,
  });
}

/** Live pool: account subscription for changes, polling as a fallback while it runs. */
export function usePool(address: PublicKey | undefined) {
  const { program, key } = useFedstr();
  const { connection } = useConnection();
  const client = useQueryClient();
  const id = address?.toBase58() ?? "";
  const q = useQuery({
    queryKey: [...key, "pool", id],
    enabled: address !== undefined,
    queryFn: async (): Promise<PoolRow | null> => {
      const account = await fetchPool(program, address!);
      if (!account) return null;
      // A mint's freeze authority is read once per page, not on every poll of the pool.
      const mint = await client.fetchQuery({
        queryKey: [...key, "pool-mint", account.mint.toBase58()],
        queryFn: () => fetchPoolMint(connection, account.mint),
        staleTime: Infinity,
      });
      return { address: address!, account, summary: summarizePool(address!, account, mint) };
    },
    refetchInterval: (query) => (query.state.data?.account.status === PoolStatus.Active ? 4_000 : 30_000),
  });
  useEffect(() => {
    if (!address) return;
    const sub = connection.onAccountChange(
      address,
      () => void client.invalidateQueries({ queryKey: [...key, "pool", id] }),
      { commitment: "confirmed" },
    );
    return () => void connection.removeAccountChangeListener(sub);
  }, [connection, address, client, key, id]);
  return q;
}

export interface RoundRow {
  round: number;
  result: RoundResultAccount;
}

export function useRounds(pool: PoolRow | null | undefined) {
  const { program, key } = useFedstr();
  const id = pool?.address.toBase58() ?? "";
  return useQuery({
    queryKey: [...key, "rounds", id, pool?.account.roundsPosted ?? 0],
    enabled: !!pool,
    queryFn: async (): Promise<RoundRow[]> =>
      (await fetchRoundResultsOfPool(program, pool!.address))
        .map((r) => ({ round: r.account.round, result: r.account }))
        .sort((a, b) => a.round - b.round),
  });
}

export function useParticipants(pool: PoolRow | null | undefined) {
  const { program, key } = useFedstr();
  const id = pool?.address.toBase58() ?? "";
  return useQuery({
    queryKey: [...key, "participants", id],
    enabled: !!pool,
    queryFn: async () =>
      (await fetchParticipantsOfPool(program, pool!.address)).map((p) => ({
        address: p.publicKey,
        account: p.account,
      })),
    refetchInterval: 8_000,
  });
}

/** Commitments of one round (who committed what). */
export function useCommitments(pool: PoolRow | null | undefined, round: number) {
  const { program, key } = useFedstr();
  const id = pool?.address.toBase58() ?? "";
  return useQuery({
    queryKey: [...key, "commitments", id, round],
    enabled: !!pool && round > 0,
    queryFn: async () => (await fetchCommitmentsOfRound(program, pool!.address, round)).map((c) => c.account),
  });
}

/** The connected wallet's participant state in a pool (null when not joined). */
export function useMyParticipant(pool: PublicKey | undefined, wallet: PublicKey | null | undefined) {
  const { program, programId, key } = useFedstr();
  return useQuery({
    queryKey: [...key, "participant", pool?.toBase58() ?? "", wallet?.toBase58() ?? ""],
    enabled: !!pool && !!wallet,
    queryFn: async (): Promise<ParticipantAccount | null> =>
      fetchParticipant(program, findParticipantAddress(pool!, wallet!, programId)[0]),
    refetchInterval: 8_000,
  });
}

export interface MintInfo {
  address: PublicKey;
  decimals: number;
  freezeAuthority: PublicKey | null;
  mintAuthority: PublicKey | null;
}

export function useMint(mint: PublicKey | undefined) {
  const { connection } = useConnection();
  const { key } = useFedstr();
  return useQuery({
    queryKey: [...key, "mint", mint?.toBase58() ?? ""],
    enabled: !!mint,
    staleTime: 60_000,
    // The pool summary carries the freeze authority too; this also gives the decimals and mint authority.
    queryFn: async (): Promise<MintInfo> => {
      const m = await getMint(connection, mint!, "confirmed");
      return {
        address: mint!,
        decimals: m.decimals,
        freezeAuthority: m.freezeAuthority,
        mintAuthority: m.mintAuthority,
      };
    },
  });
}

/** Token balance (base units) of a token account; null when it does not exist. */
export function useTokenBalance(account: PublicKey | undefined) {
  const { connection } = useConnection();
  const { key } = useFedstr();
  return useQuery({
    queryKey: [...key, "token-balance", account?.toBase58() ?? ""],
    enabled: !!account,
    refetchInterval: 8_000,
    queryFn: async (): Promise<bigint | null> => {
      const info = await connection.getTokenAccountBalance(account!, "confirmed").catch((e: Error) => {
        if (/could not find account|Invalid param/i.test(e.message)) return null;
        throw e;
      });
      return info === null ? null : BigInt(info.value.amount);
    },
  });
}

export function usePoolVaults(pool: PublicKey | undefined) {
  const { programId } = useFedstr();
  const escrow = pool ? findEscrowAddress(pool, programId)[0] : undefined;
  const vault = pool ? findStakeVaultAddress(pool, programId)[0] : undefined;
  return { escrow, vault, escrowBalance: useTokenBalance(escrow), vaultBalance: useTokenBalance(vault) };
}

export function walletTokenAccount(wallet: PublicKey, mint: PublicKey): PublicKey {
  return getAssociatedTokenAddressSync(mint, wallet, true);
}

export interface HistoryEntry {
  signature: string;
  blockTime: number | null;
  failed: boolean;
  events: FedstrEvent[];
}

/** The pool's transaction history (newest first) from the RPC's signature index, with the fedstr events in each. */
export function usePoolEvents(pool: PublicKey | undefined) {
  const { connection } = useConnection();
  const { program, key } = useFedstr();
  const sigs = usePoolHistory(pool);
  const list = (sigs.data ?? []).map((s) => s.signature);
  return useQuery({
    queryKey: [...key, "history-events", pool?.toBase58() ?? "", list.join(",")],
    enabled: list.length > 0,
    staleTime: Infinity,
    queryFn: async (): Promise<HistoryEntry[]> => {
      const txs = await connection.getTransactions(list, {
        commitment: "confirmed",
        maxSupportedTransactionVersion: 0,
      });
      return (sigs.data ?? []).map((s, i) => ({
        signature: s.signature,
        blockTime: s.blockTime ?? null,
        failed: s.err !== null,
        events: txs[i]?.meta?.logMessages ? safeEvents(program, txs[i]!.meta!.logMessages!) : [],
      }));
    },
  });
}

function safeEvents(program: FedstrProgram, logs: string[]): FedstrEvent[] {
  try {
    return parseFedstrEvents(program, logs);
  } catch {
    return [];
  }
}

/** The pool's transaction history (newest first) from the RPC's signature index. */
export function usePoolHistory(pool: PublicKey | undefined) {
  const { connection } = useConnection();
  const { key } = useFedstr();
  return useQuery({
    queryKey: [...key, "history", pool?.toBase58() ?? ""],
    enabled: !!pool,
    refetchInterval: 10_000,
    queryFn: async () => connection.getSignaturesForAddress(pool!, { limit: 50 }, "confirmed"),
  });
}
