"use client";
import { AnchorError } from "@coral-xyz/anchor";
import { FEDSTR_ERRORS, fedstrErrorName, IDL } from "@fedstr/sdk/program";
import { useConnection, useWallet } from "@solana/wallet-adapter-react";
import {
  ComputeBudgetProgram,
  type TransactionInstruction,
  TransactionMessage,
  VersionedTransaction,
} from "@solana/web3.js";
import { useQueryClient } from "@tanstack/react-query";
// Every transaction the app sends: simulate first (a readable error before the wallet opens), a
// compute-unit limit from the simulation with a margin, an optional priority fee, the fee shown
// before signing, confirmation at `confirmed`, a toast with an explorer link, then a refetch.
import { useCallback } from "react";
import { toast } from "sonner";
import { useExplorer, useFedstr } from "./fedstr";
import { useSettings } from "./settings";

const CU_MARGIN = 1.2;
const CU_FLOOR = 20_000;
const PRIORITY_KEY = "fedstr.priorityMicroLamports";

export class TxError extends Error {
  constructor(
    message: string,
    readonly kind: "program" | "simulation" | "rejected" | "network",
    readonly logs: string[] = [],
    readonly code?: string,
  ) {
    super(message);
  }
}

/** The fedstr error's name and message from the IDL, or undefined when the failure is not the program's. */
export function describeProgramError(err: unknown, logs: string[] = []): string | undefined {
  // A transaction error is `{ InstructionError: [index, { Custom: code }] }`; fedstr's codes start at 6000
  // (other programs in the same transaction, e.g. the token program, use small codes).
  const custom = (err as { InstructionError?: [number, { Custom?: number } | string] } | null)?.InstructionError?.[1];
  const code =
    typeof custom === "object" && custom?.Custom !== undefined ? FEDSTR_ERRORS.get(custom.Custom) : undefined;
  const name =
    code ??
    fedstrErrorName(err) ??
    AnchorError.parse(logs)?.error.errorCode.code ??
    fedstrErrorName(new Error(logs.join("\n")));
  if (name === undefined) return undefined;
  const e = IDL.errors.find((x) => x.name === name);
  return e ? `${e.name}: ${e.msg}` : name;
}

function isRejection(e: unknown): boolean {
  const err = e as { name?: string; message?: string; code?: number; error?: { code?: number } };
  return (
    err?.code === 4001 ||
    err?.error?.code === 4001 ||
    /reject|denied|declined|cancel/i.test(`${err?.message ?? ""}`) ||
    /UserRejected/i.test(err?.name ?? "")
  );
}

export function priorityFee(): number {
  if (typeof localStorage === "undefined") return 0;
  const v = Number(localStorage.getItem(PRIORITY_KEY) ?? "0");
  return Number.isSafeInteger(v) && v > 0 ? v : 0;
}
export function setPriorityFee(microLamports: number) {
  localStorage.setItem(PRIORITY_KEY, String(microLamports));
}

function TxToast({ title, body, logs, link }: { title: string; body?: string; logs?: string[]; link?: string }) {
  return (
    <div>
      <strong>{title}</strong>
      {body ? <div>{body}</div> : null}
      {link ? (
        <div>
          <a href={link} target="_blank" rel="noreferrer">
            View in the explorer
          </a>
        </div>
      ) : null}
      {logs && logs.length > 0 ? (
        <details>
          <summary>Program logs</summary>
          <pre style={{ whiteSpace: "pre-wrap", fontSize: 11, maxHeight: 200, overflow: "auto" }}>
            {logs.join("\n")}
          </pre>
        </details>
      ) : null}
    </div>
  );
}

export interface SendOptions {
  /** Query keys (after the cluster/program prefix) to refetch once confirmed; everything under the prefix when absent. */
  refetch?: unknown[][];
}

/** Returns `send(label, instructions)`: resolves with the signature, or throws TxError (already toasted). */
export function useSendTx() {
  const { connection } = useConnection();
  const wallet = useWallet();
  const { key } = useFedstr();
  const { config } = useSettings();
  const explorer = useExplorer();
  const client = useQueryClient();

  return useCallback(
    async (label: string, ixs: TransactionInstruction[], opts: SendOptions = {}): Promise<string> => {
      const payer = wallet.publicKey;
      if (!payer) throw new TxError("connect a wallet first", "rejected");
      const id = toast.loading(`${label}: simulating…`);
      const fail = (e: TxError): never => {
        const kind = e.kind === "rejected" ? "rejected" : "error";
        toast.dismiss(id);
        toast[kind === "rejected" ? "info" : "error"](
          <div data-testid="toast" data-kind={kind}>
            <TxToast
              title={kind === "rejected" ? `${label}: not sent` : `${label} failed`}
              body={e.message}
              logs={e.logs}
            />
          </div>,
          { duration: 15_000 },
        );
        throw e;
      };
      const micro = priorityFee();
      const build = (units: number | undefined, blockhash: string) => {
        const budget = [
          ...(units !== undefined ? [ComputeBudgetProgram.setComputeUnitLimit({ units })] : []),
          ...(micro > 0 ? [ComputeBudgetProgram.setComputeUnitPrice({ microLamports: micro })] : []),
        ];
        return new VersionedTransaction(
          new TransactionMessage({
            payerKey: payer,
            recentBlockhash: blockhash,
            instructions: [...budget, ...ixs],
          }).compileToV0Message(),
        );
      };
      let latest;
      try {
        latest = await connection.getLatestBlockhash("confirmed");
      } catch (e) {
        return fail(new TxError(`the RPC node ${config.rpcUrl} is unreachable: ${(e as Error).message}`, "network"));
      }
      // 1. Simulate with the largest limit: a readable error before the wallet opens, and the units used.
      const sim = await connection
        .simulateTransaction(build(1_400_000, latest.blockhash), {
          sigVerify: false,
          replaceRecentBlockhash: true,
          commitment: "confirmed",
        })
        .catch((e: Error) => e);
      if (sim instanceof Error) return fail(new TxError(`simulation failed: ${sim.message}`, "network"));
      const logs = sim.value.logs ?? [];
      if (sim.value.err) {
        const program = describeProgramError(sim.value.err, logs);
        // Not a fedstr error (e.g. the token program's): its own log line says what went wrong.
        const said = [...logs]
          .reverse()
          .find((l) => /^Program log: Error: /.test(l))
          ?.replace(/^Program log: Error: /, "");
        return fail(
          new TxError(
            program ?? `simulation failed: ${said ?? JSON.stringify(sim.value.err)}`,
            program ? "program" : "simulation",
            logs,
            program?.split(":")[0],
          ),
        );
      }
      const units = Math.max(CU_FLOOR, Math.ceil((sim.value.unitsConsumed ?? 200_000) * CU_MARGIN));
      const tx = build(units, latest.blockhash);
      // 2. The fee, shown before the wallet asks to sign.
      const fee = (await connection.getFeeForMessage(tx.message, "confirmed").catch(() => null))?.value;
      toast.loading(
        `${label}: approve in your wallet — fee ${fee != null ? `${(fee / 1e9).toFixed(9)} SOL` : "unknown"} (${units} compute units${micro > 0 ? `, priority ${micro} µlamports/CU` : ""})`,
        { id },
      );
      // 3. Sign and send; confirm at `confirmed`.
      let signature: string;
      try {
        signature = await wallet.sendTransaction(tx, connection, { skipPreflight: true, maxRetries: 5 });
      } catch (e) {
        if (isRejection(e)) return fail(new TxError("you declined in the wallet; nothing was sent", "rejected"));
        const program = describeProgramError(e, (e as { logs?: string[] }).logs ?? []);
        return fail(
          new TxError(
            program ?? `the wallet could not send it: ${(e as Error).message}`,
            program ? "program" : "network",
          ),
        );
      }
      toast.loading(`${label}: confirming…`, { id });
      try {
        const res = await connection.confirmTransaction(
          { signature, blockhash: latest.blockhash, lastValidBlockHeight: latest.lastValidBlockHeight },
          "confirmed",
        );
        if (res.value.err) {
          const detail = await connection
            .getTransaction(signature, { commitment: "confirmed", maxSupportedTransactionVersion: 0 })
            .catch(() => null);
          const l = detail?.meta?.logMessages ?? [];
          const program = describeProgramError(res.value.err, l);
          return fail(new TxError(program ?? `the transaction failed: ${JSON.stringify(res.value.err)}`, "program", l));
        }
      } catch (e) {
        return fail(new TxError(`not confirmed: ${(e as Error).message} (signature ${signature})`, "network"));
      }
      toast.dismiss(id);
      toast.success(
        <div data-testid="toast" data-kind="success" data-signature={signature}>
          <TxToast
            title={`${label}: confirmed`}
            body={`fee ${fee != null ? `${(fee / 1e9).toFixed(9)} SOL` : "?"}`}
            link={explorer("tx", signature)}
          />
        </div>,
        { duration: 10_000 },
      );
      if (opts.refetch)
        await Promise.all(opts.refetch.map((k) => client.invalidateQueries({ queryKey: [...key, ...k] })));
      else await client.invalidateQueries({ queryKey: [...key] });
      return signature;
    },
    [wallet, connection, key, config.rpcUrl, explorer, client],
  );
}
