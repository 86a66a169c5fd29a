"use client";
import {
  BROWSER_BACKENDS,
  type BrowserBackend,
  DataError,
  type Dataset,
  datasetForPlan,
  parsePlan,
  type TrainingPlan,
} from "@fedstr/sdk/fl";
import type { RoundReport } from "@fedstr/sdk/job";
import { ParticipantStatus, PoolStatus } from "@fedstr/sdk/program";
import { useWallet } from "@solana/wallet-adapter-react";
import { useQuery } from "@tanstack/react-query";
// "Train in this browser": the participant picks a local data file, sees it checked against the
// pool's plan, and trains every round in this tab (data-access/browser-training.ts). The file is
// read here and never uploaded; only the encoded update is.
import { useEffect, useState } from "react";
import { probeBackend, useBrowserTraining } from "@/data-access/browser-training";
import { useFedstr } from "@/data-access/fedstr";
import { type PoolRow, type RoundRow, useMyParticipant } from "@/data-access/pools";
import { type FoundReport, useGateway } from "@/data-access/reports";
import { Field } from "@/ui/field";
import { amount, short, until } from "@/ui/format";
import { reasonInWords } from "@/ui/reasons";
import { TableHead } from "@/ui/table-head";

function usePlan(pool: PoolRow) {
  const gateway = useGateway();
  const { key } = useFedstr();
  return useQuery({
    queryKey: [...key, "plan", pool.summary.planCid],
    staleTime: Infinity,
    queryFn: async (): Promise<TrainingPlan> => {
      const { reader } = await gateway();
      return parsePlan(await reader.get(pool.summary.planCid));
    },
  });
}

interface PickedData {
  name: string;
  ds: Dataset;
  labels: [number, number];
}

/** The checked data file, or the first row and field at fault. */
function DataSummary({
  picked,
  error,
  plan,
}: {
  picked?: PickedData;
  error?: { text: string; line?: number; field?: string };
  plan: TrainingPlan;
}) {
  if (error)
    return (
      <p role="alert" className="bad" data-testid="train-data-error" data-line={error.line} data-field={error.field}>
        {error.text}
      </p>
    );
  if (!picked)
    return (
      <p className="muted">
        The plan expects features [{plan.data.features.shape.join(", ")}] {plan.data.features.dtype} and labels [
        {plan.data.labels.shape.join(", ")}] {plan.data.labels.dtype}, {plan.validation.minSamples}–
        {plan.validation.maxSamples} samples; CSV (features then labels per line) or JSON lines {'{"x": …, "y": …}'}.
      </p>
    );
  return (
    <p className="ok" data-testid="train-data-ok" data-samples={picked.ds.length}>
      {picked.name}: {picked.ds.length.toLocaleString("en-US")} samples, features [{picked.ds.featureShape.join(", ")}],
      labels from {picked.labels[0]} to {picked.labels[1]} — fits the plan. It stays in this tab.
    </p>
  );
}

export function TrainPanel({
  pool,
  now,
  rounds,
  reports,
  decimals,
}: {
  pool: PoolRow;
  now: number;
  rounds: RoundRow[];
  reports: (FoundReport | undefined)[];
  decimals?: number;
}) {
  const { publicKey } = useWallet();
  const me = useMyParticipant(pool.address, publicKey);
  const plan = usePlan(pool);
  const { view, start, stop } = useBrowserTraining(pool);
  const [picked, setPicked] = useState<PickedData>();
  const [dataError, setDataError] = useState<{ text: string; line?: number; field?: string }>();
  const [choice, setChoice] = useState<"auto" | BrowserBackend>("auto");
  const [available, setAvailable] = useState<string>();

  const p = me.data;
  const active = pool.account.status === PoolStatus.Active;
  const show = !!publicKey && !!p && p.status !== ParticipantStatus.Withdrawn && (active || view.rounds.length > 0);
  useEffect(() => {
    if (!show || !active) return;
    let live = true;
    setAvailable(undefined);
    probeBackend(choice === "auto" ? undefined : choice).then(
      (b) => live && setAvailable(b),
      (e: Error) => live && setAvailable(`unavailable: ${e.message}`),
    );
    return () => {
      live = false;
    };
  }, [choice, show, active]);
  if (!show || !publicKey) return null;

  const onFile = async (file: File | undefined) => {
    setPicked(undefined);
    setDataError(undefined);
    if (!file || !plan.data) return;
    try {
      const ds = datasetForPlan(file.name, await file.text(), plan.data);
      let lo = Infinity,
        hi = -Infinity;
      for (const v of ds.y) {
        if (v < lo) lo = v;
        if (v > hi) hi = v;
      }
      setPicked({ name: file.name, ds, labels: [lo, hi] });
    } catch (e) {
      if (e instanceof DataError) {
        const what = e.message.slice(`${e.file}:${e.line}: `.length);
        setDataError({
          text: `${e.file}, line ${e.line}${e.field ? `, field ${e.field}` : ""}: ${what}`,
          line: e.line,
          ...(e.field ? { field: e.field } : {}),
        });
      } else setDataError({ text: (e as Error).message });
    }
  };

  const mine = publicKey.toBase58();
  const running = view.status === "running";
  const backendUsed = view.backend ?? (available && !available.startsWith("unavailable") ? available : undefined);
  return (
    <section className="panel" aria-labelledby="train-title" data-testid="train-panel" data-status={view.status}>
      <h2 id="train-title">Train in this browser</h2>
      {plan.error ? (
        <p role="alert" className="bad">
          The plan {short(pool.summary.planCid, 8)} could not be read: {(plan.error as Error).message}
        </p>
      ) : null}
      {plan.data && active ? (
        <>
          <Field id="train-data" label="Your data file (.csv or .jsonl)">
            <input
              id="train-data"
              type="file"
              accept=".csv,.jsonl,.ndjson,.json"
              disabled={running}
              data-testid="train-data"
              onChange={(e) => void onFile(e.target.files?.[0])}
            />
          </Field>
          <DataSummary picked={picked} error={dataError} plan={plan.data} />
          <Field id="train-backend" label="TensorFlow.js backend">
            <select
              id="train-backend"
              value={choice}
              disabled={running}
              onChange={(e) => setChoice(e.target.value as "auto" | BrowserBackend)}
              data-testid="train-backend"
            >
              <option value="auto">best available (WebGL, else WASM)</option>
              {BROWSER_BACKENDS.map((b) => (
                <option key={b} value={b}>
                  {b}
                </option>
              ))}
            </select>
            <div className="muted" data-testid="train-backend-used" data-backend={backendUsed ?? ""}>
              {available === undefined
                ? "checking…"
                : available.startsWith("unavailable")
                  ? available
                  : `training runs on ${backendUsed} in a Web Worker`}
            </div>
          </Field>
          <p>
            {running ? (
              <button type="button" onClick={stop} data-testid="train-stop">
                Stop after this step
              </button>
            ) : (
              <button
                type="button"
                disabled={!picked}
                onClick={() =>
                  picked && plan.data && void start(plan.data, picked.ds, choice === "auto" ? {} : { backend: choice })
                }
                data-testid="train-start"
              >
                Train every round
              </button>
            )}{" "}
            <span className="muted">one wallet signature per round (the commitment)</span>
          </p>
        </>
      ) : null}
      {view.activity || view.error ? (
        <dl className="kv">
          {view.round !== undefined ? (
            <>
              <dt>Round</dt>
              <dd data-testid="train-round-now">
                {view.round} of {pool.account.numRounds}
                {view.deadline !== undefined ? (
                  <>
                    {" "}
                    — commit deadline{" "}
                    <span data-testid="train-deadline">{until(view.deadline, now)} (chain clock)</span>
                  </>
                ) : null}
              </dd>
            </>
          ) : null}
          {view.activity ? (
            <>
              <dt>Now</dt>
              <dd>
                <span role="status" data-testid="train-activity">
                  {view.activity}
                </span>
              </dd>
            </>
          ) : null}
          {view.progress ? (
            <>
              <dt>Progress</dt>
              <dd data-testid="train-progress" data-epoch={view.progress.epoch} data-batch={view.progress.batch}>
                epoch {view.progress.epoch}/{view.progress.epochs}, batch {view.progress.batch}/{view.progress.batches}
                {view.progress.loss !== undefined ? `, loss ${view.progress.loss.toFixed(4)}` : ""}
              </dd>
            </>
          ) : null}
          {view.error ? (
            <>
              <dt>Stopped</dt>
              <dd>
                <span role="alert" className="bad" data-testid="train-error">
                  {view.error}
                </span>
              </dd>
            </>
          ) : null}
        </dl>
      ) : null}
      {view.rounds.length > 0 ? (
        <table data-testid="train-rounds">
          <TableHead
            caption="Your rounds from this browser"
            columns={["Round", "Update", "Committed", "Result", "Verdict"]}
          />
          <tbody>
            {view.rounds.map((st) => {
              const i = rounds.findIndex((r) => r.round === st.round);
              const f = i >= 0 ? reports[i] : undefined;
              const report: RoundReport | undefined = f && "report" in f ? f.report : undefined;
              const u = report?.updates.find((x) => x.participant === mine);
              const verdict = !report ? "pending" : !u ? "not in the report" : u.accepted ? "accepted" : "rejected";
              return (
                <tr
                  key={st.round}
                  data-testid="train-round"
                  data-round={st.round}
                  data-cid={st.cid ?? ""}
                  data-sha256={st.sha256 ?? ""}
                  data-verdict={verdict}
                  data-committed={!!st.committed}
                  data-published={!!st.eventId}
                >
                  <td>{st.round}</td>
                  <td>
                    {st.cid ? (
                      <span className="cid" title={`sha256 ${st.sha256}`}>
                        {short(st.cid, 8)}
                      </span>
                    ) : (
                      "—"
                    )}
                    {st.samples !== undefined ? ` (${st.samples} samples${st.backend ? `, ${st.backend}` : ""})` : ""}
                  </td>
                  <td>{st.committed ? "yes" : "not yet"}</td>
                  <td>{st.eventId ? `published ${short(st.eventId, 6)}` : "not yet"}</td>
                  <td>
                    {!report ? (
                      <span className="muted">waiting for the aggregator</span>
                    ) : !u ? (
                      <span className="muted">not in the round report</span>
                    ) : u.accepted ? (
                      <span className="ok">accepted: reward {amount(u.reward, decimals)}</span>
                    ) : (
                      <span className="bad">rejected: {reasonInWords(u.reason, u.detail)}</span>
                    )}
                  </td>
                </tr>
              );
            })}
          </tbody>
        </table>
      ) : null}
    </section>
  );
}
