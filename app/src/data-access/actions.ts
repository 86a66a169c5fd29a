"use client";
import { fromHex } from "@fedstr/sdk/fl";
import type { RoundReport } from "@fedstr/sdk/job";
import {
  cancelPoolIx,
  claimRewardIx,
  expirePoolIx,
  finalizePoolIx,
  fundPoolIx,
  joinPoolIx,
  rewardClaimFromJson,
  withdrawStakeIx,
} from "@fedstr/sdk/program";
import { createAssociatedTokenAccountIdempotentInstruction } from "@solana/spl-token";
import { useConnection, useWallet } from "@solana/wallet-adapter-react";
import type { PublicKey, TransactionInstruction } from "@solana/web3.js";
// The instructions users send, built by @fedstr/sdk/program and sent through useSendTx.
import { useCallback } from "react";
import { useFedstr } from "./fedstr";
import { useNostrKey } from "./nostr-key";
import { type PoolRow, type RoundRow, walletTokenAccount } from "./pools";
import { TxError, useSendTx } from "./send-tx";

export function usePoolActions(pool: PoolRow | null | undefined) {
  const { program } = useFedstr();
  const { publicKey } = useWallet();
  const { connection } = useConnection();
  const send = useSendTx();
  const nostrKey = useNostrKey();

  const me = publicKey;
  const ensureAta = useCallback(
    async (owner: PublicKey, mint: PublicKey): Promise<{ ata: PublicKey; ixs: TransactionInstruction[] }> => {
      const ata = walletTokenAccount(owner, mint);
      const exists = (await connection.getAccountInfo(ata, "confirmed")) !== null;
      return { ata, ixs: exists ? [] : [createAssociatedTokenAccountIdempotentInstruction(owner, ata, owner, mint)] };
    },
    [connection],
  );

  const join = useCallback(
    async (stake: bigint) => {
      if (!pool || !me) throw new TxError("connect a wallet first", "rejected");
      if (stake < BigInt(pool.summary.minStake) || stake === 0n)
        throw new TxError(
          `the stake must be at least the pool's minimum ${pool.summary.minStake} base units`,
          "simulation",
        );
      // The pool's aggregator accepts this wallet's result events signed by this key only.
      const { pubkey } = await nostrKey();
      const ix = await joinPoolIx(program, {
        participant: me,
        pool: pool.address,
        participantToken: walletTokenAccount(me, pool.account.mint),
        stake,
        nostrPubkey: fromHex(pubkey),
      });
      return send("Join pool", [ix]);
    },
    [pool, me, program, send, nostrKey],
  );

  /** Claim every round in `claims`: each proof was checked against the on-chain root before anything is signed. */
  const claim = useCallback(
    async (round: RoundRow, report: RoundReport) => {
      if (!pool || !me) throw new TxError("connect a wallet first", "rejected");
      let c;
      try {
        c = rewardClaimFromJson(report.rewards, me, Uint8Array.from(round.result.merkleRoot));
      } catch (e) {
        throw new TxError(
          `round ${round.round}: the report's proof does not check against the chain: ${(e as Error).message}`,
          "simulation",
        );
      }
      if (!c) throw new TxError(`round ${round.round}: no reward for this wallet in the report`, "simulation");
      const { ata, ixs } = await ensureAta(me, pool.account.mint);
      const ix = await claimRewardIx(program, {
        participant: me,
        pool: pool.address,
        round: round.round,
        weight: c.weight,
        amount: c.amount,
        updateHash: c.updateHash,
        proof: c.proof,
        destination: ata,
      });
      return send(`Claim round ${round.round}`, [...ixs, ix]);
    },
    [pool, me, program, send, ensureAta],
  );

  const withdraw = useCallback(async () => {
    if (!pool || !me) throw new TxError("connect a wallet first", "rejected");
    const { ata, ixs } = await ensureAta(me, pool.account.mint);
    return send("Withdraw stake", [
      ...ixs,
      await withdrawStakeIx(program, { participant: me, pool: pool.address, destination: ata }),
    ]);
  }, [pool, me, program, send, ensureAta]);

  const fund = useCallback(
    async (amount: bigint) => {
      if (!pool || !me) throw new TxError("connect a wallet first", "rejected");
      return send("Fund pool", [
        await fundPoolIx(program, {
          creator: me,
          pool: pool.address,
          creatorToken: walletTokenAccount(me, pool.account.mint),
          amount,
        }),
      ]);
    },
    [pool, me, program, send],
  );

  const refund = useCallback(
    async (what: "cancel" | "finalize" | "expire") => {
      if (!pool || !me) throw new TxError("connect a wallet first", "rejected");
      const creatorToken = walletTokenAccount(pool.account.creator, pool.account.mint);
      const ix =
        what === "cancel"
          ? await cancelPoolIx(program, { creator: me, pool: pool.address, creatorToken })
          : what === "finalize"
            ? await finalizePoolIx(program, { caller: me, pool: pool.address, creatorToken })
            : await expirePoolIx(program, { caller: me, pool: pool.address, creatorToken });
      return send(what === "cancel" ? "Cancel pool" : what === "finalize" ? "Finalize pool" : "Expire pool", [ix]);
    },
    [pool, me, program, send],
  );

  return { join, claim, withdraw, fund, refund };
}
