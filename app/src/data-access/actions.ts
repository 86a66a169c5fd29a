"use client";
import { fromHex } from "@fedstr/sdk/fl";
import type { RoundReport } from "@fedstr/sdk/job";
import {
  cancelPoolIx,
  claimRewardIx,
  closeParticipantIx,
  expirePoolIx,
  finalizePoolIx,
  findParticipantAddress,
  fundPoolIx,
  joinPoolIx,
  PoolStatus,
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
import { type Close, closableCommitments, closesLabel, fitCount } from "./rent";
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
      // The wallet's commitments of posted rounds (this one first) close in the same transaction: their rent comes back.
      const base = [...ixs, ix];
      const closes = await closableCommitments(program, pool, me, round.round).catch((): Close[] => []);
      const fit = closes.slice(0, fitCount(me, base, closes));
      return send(`Claim round ${round.round}${closesLabel(fit)}`, [...base, ...fit.map((c) => c.ix)]);
    },
    [pool, me, program, send, ensureAta],
  );

  /**
   * Withdraw the stake, closing the commitments of posted rounds that fit. Once the pool is finalized:
   * close every commitment, then the participant account (close_participant pays a stake left too).
   */
  const withdraw = useCallback(async () => {
    if (!pool || !me) throw new TxError("connect a wallet first", "rejected");
    const { ata, ixs } = await ensureAta(me, pool.account.mint);
    if (pool.account.status === PoolStatus.Finalized) {
      const base = [
        ...ixs,
        await closeParticipantIx(program, { caller: me, participant: me, pool: pool.address, destination: ata }),
      ];
      let rest = await closableCommitments(program, pool, me);
      // close_participant needs every commitment closed first: close-only transactions until the rest fits with it.
      while (fitCount(me, base, rest) < rest.length) {
        const chunk = rest.slice(0, Math.max(1, fitCount(me, [], rest)));
        await send(
          `Close commitments${closesLabel(chunk)}`,
          chunk.map((c) => c.ix),
        );
        rest = rest.slice(chunk.length);
      }
      const state = findParticipantAddress(pool.address, me, program.programId)[0];
      const participantRent = BigInt(await connection.getBalance(state, "confirmed"));
      return send(`Withdraw and close your accounts${closesLabel(rest, participantRent)}`, [
        ...rest.map((c) => c.ix),
        ...base,
      ]);
    }
    const base = [...ixs, await withdrawStakeIx(program, { participant: me, pool: pool.address, destination: ata })];
    const closes = await closableCommitments(program, pool, me).catch((): Close[] => []);
    const fit = closes.slice(0, fitCount(me, base, closes));
    return send(`Withdraw stake${closesLabel(fit)}`, [...base, ...fit.map((c) => c.ix)]);
  }, [pool, me, program, send, ensureAta, connection]);

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
