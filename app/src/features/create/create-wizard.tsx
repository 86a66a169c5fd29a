"use client";
import { decode, fromHex, hashBytes, PlanError, parsePlan, type TrainingPlan, toHex } from "@fedstr/sdk/fl";
import { AmountError, chainTime, PRIVACY_SUMMARY, parseAmount } from "@fedstr/sdk/job";
import { buildJobRequest, type PrivacyMode } from "@fedstr/sdk/nostr";
import { cidToBytes, createPoolIx, findPoolAddress, MAX_ROUNDS } from "@fedstr/sdk/program";
import { withRetry } from "@fedstr/sdk/retry";
import { useConnection, useWallet } from "@solana/wallet-adapter-react";
import { PublicKey } from "@solana/web3.js";
import { useQuery } from "@tanstack/react-query";
import Link from "next/link";
// Create a pool: plan (template or upload, validated with the SDK's parsePlan) and initial model
// (seeded from the plan, or uploaded) → terms → review with the total cost → upload both to IPFS
// → create and fund the pool → publish the kind-5720 job request. Nothing is created on chain
// unless both uploads succeeded.
import { useEffect, useState } from "react";
import { z } from "zod";
import { useFedstr } from "@/data-access/fedstr";
import { useRelayHub } from "@/data-access/nostr";
import { useNostrKey } from "@/data-access/nostr-key";
import { useMint, useTokenBalance, walletTokenAccount } from "@/data-access/pools";
import { useSendTx } from "@/data-access/send-tx";
import { useSettings } from "@/data-access/settings";
import { CopyBlock } from "@/ui/copy";
import { Field } from "@/ui/field";
import { amount } from "@/ui/format";

interface Template {
  id: string;
  title: string;
  description: string;
  data: string;
}
interface PlanAndModel {
  plan: TrainingPlan;
  planBytes: Uint8Array;
  model: Uint8Array;
  sha256: string;
}

const amountText = z.string().trim().min(1, "is required");
const int = (min: number, max: number) =>
  z.coerce
    .number({ error: "must be a number" })
    .int("must be a whole number")
    .min(min, `must be at least ${min}`)
    .max(max, `must be at most ${max}`);
const termsSchema = z.object({
  reward: amountText,
  stake: amountText,
  seats: int(1, 0xffff_ffff),
  rounds: int(1, MAX_ROUNDS),
  roundSeconds: int(1, 30 * 86400),
  joinSeconds: int(1, 365 * 86400),
  graceSeconds: int(0, 30 * 86400),
  claimSeconds: int(0, 365 * 86400),
  slashBps: int(0, 10_000),
  aggregator: z.string().refine((s) => {
    try {
      new PublicKey(s);
      return true;
    } catch {
      return false;
    }
  }, "must be a Solana address"),
  aggregatorNostr: z.string().regex(/^[0-9a-f]{64}$/, "must be a Nostr pubkey (64 lower-case hex digits)"),
});
type Terms = z.infer<typeof termsSchema>;
type FieldName = keyof Terms | "plan" | "model" | "sealKeys";

const FIELDS: { name: keyof Terms; label: string; hint: string; wide?: boolean }[] = [
  { name: "reward", label: "Total reward", hint: "in the mint's units, spread evenly over the rounds" },
  { name: "stake", label: "Stake required", hint: "each participant locks at least this much" },
  { name: "seats", label: "Seats", hint: "most participants" },
  { name: "rounds", label: "Rounds", hint: `1 to ${MAX_ROUNDS}` },
  { name: "roundSeconds", label: "Round length (seconds)", hint: "commit window of each round" },
  {
    name: "joinSeconds",
    label: "Join window (seconds)",
    hint: "joins close this long from now (chain clock); round 1 starts then",
  },
  {
    name: "graceSeconds",
    label: "Grace (seconds)",
    hint: "time the aggregator has after a round to post it; after that anyone may expire the pool",
  },
  {
    name: "claimSeconds",
    label: "Claim window (seconds)",
    hint: "after the pool ends, before leftovers go back to you",
  },
  { name: "slashBps", label: "Slash limit (basis points)", hint: "most of a stake that can be slashed; 5000 = 50%" },
  {
    name: "aggregator",
    label: "Aggregator wallet",
    hint: "the aggregator's Solana address (`fedstr-aggregator identity` prints it)",
    wide: true,
  },
  {
    name: "aggregatorNostr",
    label: "Aggregator Nostr pubkey",
    hint: "hex; `fedstr-aggregator identity` prints it",
    wide: true,
  },
];

async function api<T>(url: string, init?: RequestInit): Promise<T> {
  const res = await fetch(url, init);
  const body = await res.json().catch(() => ({ error: `HTTP ${res.status}` }));
  if (!res.ok) throw new Error(body.error ?? `HTTP ${res.status}`);
  return body as T;
}
const b64 = (s: string) => Uint8Array.from(atob(s), (c) => c.charCodeAt(0));

export function CreateWizard() {
  const { publicKey } = useWallet();
  const { connection } = useConnection();
  const { program, programId } = useFedstr();
  const { config } = useSettings();
  const nostrKey = useNostrKey();
  const hub = useRelayHub();
  const send = useSendTx();
  const mintKey = config.mint ? new PublicKey(config.mint) : undefined;
  const mint = useMint(mintKey);
  const balance = useTokenBalance(publicKey && mintKey ? walletTokenAccount(publicKey, mintKey) : undefined);
  const templates = useQuery({
    queryKey: ["templates"],
    queryFn: () => api<Template[]>("/api/initial-model"),
    staleTime: Infinity,
  });

  const [source, setSource] = useState<"template" | "upload">("template");
  const [templateId, setTemplateId] = useState("digits-mlp");
  const [seed, setSeed] = useState("1");
  const [uploadedPlan, setUploadedPlan] = useState<unknown>();
  const [uploadedModel, setUploadedModel] = useState<Uint8Array>();
  const [pm, setPm] = useState<PlanAndModel>();
  const [terms, setTerms] = useState<Record<keyof Terms, string>>({
    reward: "100",
    stake: "1",
    seats: "10",
    rounds: "3",
    roundSeconds: "300",
    joinSeconds: "600",
    graceSeconds: "300",
    claimSeconds: String(7 * 86400),
    slashBps: "5000",
    aggregator: "",
    aggregatorNostr: "",
  });
  const [errors, setErrors] = useState<Partial<Record<FieldName, string>>>({});
  // Sealed (the default): updates are encrypted to the aggregator's round keys, which go into the job request.
  const [privacy, setPrivacy] = useState<PrivacyMode>("sealed");
  const [sealKeys, setSealKeys] = useState("");
  const [step, setStep] = useState<"edit" | "review" | "running" | "done">("edit");
  const [progress, setProgress] = useState<string[]>([]);
  const [planCid, setPlanCid] = useState<string>();
  const [modelCid, setModelCid] = useState<string>();
  const [created, setCreated] = useState<string>();
  const [rent, setRent] = useState<number>();

  useEffect(() => {
    if (publicKey && terms.aggregator === "") setTerms((t) => ({ ...t, aggregator: publicKey.toBase58() }));
  }, [publicKey, terms.aggregator]);
  useEffect(() => {
    // Pool (472 bytes) + escrow and stake vault token accounts (165 bytes each).
    void Promise.all([
      connection.getMinimumBalanceForRentExemption(472),
      connection.getMinimumBalanceForRentExemption(165),
    ])
      .then(([a, b]) => setRent(a + 2 * b))
      .catch(() => {});
  }, [connection]);

  const dec = mint.data?.decimals;
  const set = (name: keyof Terms, v: string) => setTerms((t) => ({ ...t, [name]: v }));

  /** Plan and model, checked: the plan by the SDK's schema (errors at the field), the model's sha256 against the plan. */
  async function preparePlan(): Promise<PlanAndModel | undefined> {
    try {
      const s = Number(seed);
      if (!Number.isSafeInteger(s) || s < 0) {
        setErrors((e) => ({ ...e, plan: "Seed must be a whole number ≥ 0" }));
        return undefined;
      }
      if (source === "template") {
        const r = await api<{ plan: TrainingPlan; model: string; sha256: string }>("/api/initial-model", {
          method: "POST",
          headers: { "content-type": "application/json" },
          body: JSON.stringify({ template: templateId, seed: s }),
        });
        const plan = parsePlan(r.plan);
        return {
          plan,
          planBytes: new TextEncoder().encode(JSON.stringify(plan, null, 2)),
          model: b64(r.model),
          sha256: r.sha256,
        };
      }
      if (uploadedPlan === undefined) {
        setErrors((e) => ({ ...e, plan: "Plan: choose a plan JSON file" }));
        return undefined;
      }
      const plan = parsePlan(uploadedPlan);
      if (uploadedModel) {
        try {
          decode(uploadedModel);
        } catch (err) {
          setErrors((e) => ({ ...e, model: `Model is not FSTW weights: ${(err as Error).message}` }));
          return undefined;
        }
        const sha = toHex(hashBytes(uploadedModel));
        if (sha !== plan.model.initialWeights.sha256) {
          setErrors((e) => ({
            ...e,
            model: `Model has sha256 ${sha}; the plan's model.initialWeights.sha256 is ${plan.model.initialWeights.sha256}`,
          }));
          return undefined;
        }
        return {
          plan,
          planBytes: new TextEncoder().encode(JSON.stringify(uploadedPlan)),
          model: uploadedModel,
          sha256: sha,
        };
      }
      const r = await api<{ plan: TrainingPlan; model: string; sha256: string }>("/api/initial-model", {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: JSON.stringify({ plan, seed: s }),
      });
      return {
        plan: r.plan,
        planBytes: new TextEncoder().encode(JSON.stringify(r.plan, null, 2)),
        model: b64(r.model),
        sha256: r.sha256,
      };
    } catch (err) {
      if (err instanceof PlanError) setErrors((e) => ({ ...e, plan: `Plan field ${err.field}: ${err.message}` }));
      else setErrors((e) => ({ ...e, plan: `Plan: ${(err as Error).message}` }));
      return undefined;
    }
  }

  function validateTerms():
    | { t: Terms; reward: bigint; stake: bigint; seal?: { id: string; keys: string[] } }
    | undefined {
    const r = termsSchema.safeParse(terms);
    const errs: Partial<Record<FieldName, string>> = {};
    if (!r.success)
      for (const i of r.error.issues) {
        const f = i.path[0] as keyof Terms;
        const label = FIELDS.find((x) => x.name === f)?.label ?? f;
        errs[f] ??= `${label} ${i.message}`;
      }
    let reward = 0n,
      stake = 0n;
    if (dec !== undefined) {
      try {
        reward = parseAmount(terms.reward.trim(), dec);
        if (reward === 0n) errs.reward = "Total reward must be more than 0";
      } catch (e) {
        if (e instanceof AmountError) errs.reward ??= `Total reward ${e.message}`;
      }
      try {
        stake = parseAmount(terms.stake.trim(), dec);
      } catch (e) {
        if (e instanceof AmountError) errs.stake ??= `Stake required ${e.message}`;
      }
      if (balance.data != null && reward > balance.data)
        errs.reward ??= `Total reward ${amount(reward, dec)} is more than your balance ${amount(balance.data, dec)}`;
    }
    let seal: { id: string; keys: string[] } | undefined;
    if (privacy === "sealed") {
      try {
        const s = JSON.parse(sealKeys) as { id?: unknown; keys?: unknown };
        if (typeof s.id !== "string" || !Array.isArray(s.keys)) throw new Error("needs {id, keys}");
        if (r.success && s.keys.length !== r.data.rounds)
          throw new Error(
            `list ${s.keys.length} keys, the pool has ${r.data.rounds} rounds (run seal-keys with --rounds ${r.data.rounds})`,
          );
        seal = { id: s.id, keys: s.keys as string[] };
      } catch (e) {
        errs.sealKeys = `Seal keys ${e instanceof SyntaxError ? "must be the JSON that `fedstr-aggregator seal-keys --rounds N --json` prints" : (e as Error).message}`;
      }
    }
    setErrors(errs);
    return r.success && Object.keys(errs).length === 0
      ? { t: r.data, reward, stake, ...(seal !== undefined ? { seal } : {}) }
      : undefined;
  }

  async function review() {
    setErrors({});
    const v = validateTerms();
    const p = await preparePlan();
    if (!v || !p) return;
    setPm(p);
    setStep("review");
  }

  async function create() {
    const v = validateTerms();
    if (!v || !pm || !publicKey || !mintKey) return;
    setStep("running");
    const log = (m: string) => setProgress((x) => [...x, m]);
    try {
      const key = await nostrKey();
      log("uploading the plan…");
      const pc = (
        await api<{ cid: string }>("/api/ipfs?name=plan.json", { method: "POST", body: pm.planBytes as BodyInit })
      ).cid;
      setPlanCid(pc);
      log(`plan ${pc}; uploading the initial model (${pm.model.length} bytes)…`);
      const mc = (
        await api<{ cid: string }>("/api/ipfs?name=model.fstw", { method: "POST", body: pm.model as BodyInit })
      ).cid;
      setModelCid(mc);
      log(`model ${mc}`);
      const ids = crypto.getRandomValues(new Uint8Array(8));
      const poolId = new DataView(ids.buffer).getBigUint64(0, true);
      const [pool] = findPoolAddress(publicKey, poolId, programId);
      const now = await chainTime(connection);
      const joinDeadline = now + v.t.joinSeconds;
      const event = buildJobRequest(
        {
          programId: programId.toBase58(),
          cluster: config.cluster,
          pool: pool.toBase58(),
          planCid: pc,
          initialModelCid: mc,
          rounds: v.t.rounds,
          reward: { amount: v.reward.toString(), mint: mintKey.toBase58() },
          stake: { amount: v.stake.toString(), mint: mintKey.toBase58() },
          deadlines: {
            join: joinDeadline,
            end: joinDeadline + v.t.rounds * v.t.roundSeconds,
            roundSeconds: v.t.roundSeconds,
          },
          relays: config.relays,
          aggregator: v.t.aggregatorNostr,
          privacy,
          ...(v.seal !== undefined ? { seal: v.seal } : {}),
          description: pm.plan.description ?? pm.plan.name,
        },
        key.secretKey,
      );
      const ix = await createPoolIx(program, {
        creator: publicKey,
        poolId,
        mint: mintKey,
        creatorToken: walletTokenAccount(publicKey, mintKey),
        aggregator: new PublicKey(v.t.aggregator),
        rewardAmount: v.reward,
        minStake: v.stake,
        maxParticipants: v.t.seats,
        numRounds: v.t.rounds,
        roundDuration: v.t.roundSeconds,
        joinDeadline,
        gracePeriod: v.t.graceSeconds,
        claimWindow: v.t.claimSeconds,
        slashLimitBps: v.t.slashBps,
        nostrJobId: fromHex(event.id),
        trainingPlanCid: cidToBytes(pc),
        initialModelCid: cidToBytes(mc),
      });
      log(`creating pool ${pool.toBase58()}…`);
      await send("Create pool", [ix]);
      log("publishing the job request…");
      const relays = await hub.ready;
      const published = await withRetry("publishing the job request", async () => {
        if (!(await relays.publish(event)).some((o) => o.ok)) throw new Error("no relay took it");
      }).then(
        () => true,
        () => false,
      );
      log(
        published
          ? `job request ${event.id} published`
          : `the pool exists but no relay took the job request ${event.id} yet (it stays queued while this page is open)`,
      );
      setCreated(pool.toBase58());
      setStep("done");
    } catch (e) {
      log(`stopped: ${(e as Error).message}`);
      setStep("review");
    }
  }

  if (!publicKey)
    return (
      <section>
        <h1>Create a pool</h1>
        <p>Connect a wallet to create a pool.</p>
      </section>
    );
  if (!mintKey)
    return (
      <section>
        <h1>Create a pool</h1>
        <p role="alert">The server's config names no reward mint (set `mint` in the config file).</p>
      </section>
    );
  const totalLamports = rent !== undefined ? rent + 5000 : undefined;
  return (
    <section aria-labelledby="create-title">
      <h1 id="create-title">Create a pool</h1>
      <form
        data-testid="create-form"
        onSubmit={(e) => {
          e.preventDefault();
          void (step === "edit" ? review() : create());
        }}
        noValidate
      >
        <fieldset disabled={step === "running" || step === "done"}>
          <legend>Training plan</legend>
          <label>
            <input
              type="radio"
              name="source"
              value="template"
              checked={source === "template"}
              onChange={() => setSource("template")}
            />{" "}
            From a template
          </label>
          <label>
            <input
              type="radio"
              name="source"
              value="upload"
              checked={source === "upload"}
              onChange={() => setSource("upload")}
            />{" "}
            Upload a plan JSON
          </label>
          {source === "template" ? (
            <Field id="template" label="Template">
              <select
                id="template"
                name="template"
                value={templateId}
                onChange={(e) => setTemplateId(e.target.value)}
                data-testid="plan-template"
              >
                {(templates.data ?? []).map((t) => (
                  <option key={t.id} value={t.id}>
                    {t.title}
                  </option>
                ))}
              </select>
              <div className="hint">
                {templates.data?.find((t) => t.id === templateId)?.description} Data:{" "}
                {templates.data?.find((t) => t.id === templateId)?.data}
              </div>
            </Field>
          ) : (
            <>
              <Field id="plan-upload" label="Plan file (JSON)">
                <input
                  id="plan-upload"
                  name="plan"
                  type="file"
                  accept="application/json,.json"
                  data-testid="plan-upload"
                  aria-describedby="field-error-plan"
                  onChange={(e) => {
                    const f = e.target.files?.[0];
                    setErrors((x) => ({ ...x, plan: undefined }));
                    if (!f) return;
                    void f.text().then((t) => {
                      try {
                        setUploadedPlan(JSON.parse(t));
                        parsePlan(JSON.parse(t));
                      } catch (err) {
                        setErrors((x) => ({
                          ...x,
                          plan:
                            err instanceof PlanError
                              ? `Plan field ${err.field}: ${err.message}`
                              : `Plan: not JSON (${(err as Error).message})`,
                        }));
                      }
                    });
                  }}
                />
              </Field>
              <Field id="model-upload" label="Initial model (FSTW, optional: generated from the plan when empty)">
                <input
                  id="model-upload"
                  name="model"
                  type="file"
                  data-testid="model-upload"
                  aria-describedby="field-error-model"
                  onChange={(e) => {
                    const f = e.target.files?.[0];
                    if (f) void f.arrayBuffer().then((b) => setUploadedModel(new Uint8Array(b)));
                    else setUploadedModel(undefined);
                  }}
                />
                <div id="field-error-model" data-testid="field-error-model" className="field-error">
                  {errors.model ?? ""}
                </div>
              </Field>
            </>
          )}
          <div
            id="field-error-plan"
            data-testid="field-error-plan"
            className="field-error"
            role={errors.plan ? "alert" : undefined}
          >
            {errors.plan ?? ""}
          </div>
          <Field id="seed" label="Seed of the initial model">
            <input id="seed" name="seed" value={seed} onChange={(e) => setSeed(e.target.value)} inputMode="numeric" />
          </Field>
        </fieldset>
        <fieldset disabled={step === "running" || step === "done"}>
          <legend>
            Terms{" "}
            {dec !== undefined
              ? `(mint ${short(mintKey.toBase58())}, ${dec} decimals${balance.data != null ? `, your balance ${amount(balance.data, dec)}` : ""})`
              : ""}
          </legend>
          <div className="grid">
            {FIELDS.map((f) => (
              <div className={f.wide ? "field wide" : "field"} key={f.name}>
                <label htmlFor={`f-${f.name}`}>{f.label}</label>
                <input
                  id={`f-${f.name}`}
                  name={f.name}
                  value={terms[f.name]}
                  onChange={(e) => set(f.name, e.target.value)}
                  aria-describedby={`field-error-${f.name} hint-${f.name}`}
                  aria-invalid={!!errors[f.name]}
                />
                <div id={`hint-${f.name}`} className="hint">
                  {f.hint}
                </div>
                <div id={`field-error-${f.name}`} data-testid={`field-error-${f.name}`} className="field-error">
                  {errors[f.name] ?? ""}
                </div>
              </div>
            ))}
            <div className="field wide">
              <label htmlFor="f-privacy">Privacy of the participants' updates</label>
              <select
                id="f-privacy"
                name="privacy"
                value={privacy}
                onChange={(e) => setPrivacy(e.target.value as PrivacyMode)}
                aria-describedby="hint-privacy"
              >
                <option value="sealed">sealed — only the aggregator reads them</option>
                <option value="public">public — anyone reads them</option>
              </select>
              <div id="hint-privacy" className="hint">
                {PRIVACY_SUMMARY[privacy]}
              </div>
            </div>
            {privacy === "sealed" ? (
              <div className="field wide">
                <label htmlFor="f-sealKeys">Aggregator's seal keys</label>
                <input
                  id="f-sealKeys"
                  name="sealKeys"
                  value={sealKeys}
                  onChange={(e) => setSealKeys(e.target.value)}
                  aria-describedby="field-error-sealKeys hint-sealKeys"
                  aria-invalid={!!errors.sealKeys}
                />
                <div id="hint-sealKeys" className="hint">
                  the JSON that `fedstr-aggregator seal-keys --rounds N --json` prints (one key per round)
                </div>
                <div id="field-error-sealKeys" data-testid="field-error-sealKeys" className="field-error">
                  {errors.sealKeys ?? ""}
                </div>
              </div>
            ) : null}
          </div>
        </fieldset>
        {step !== "edit" && pm && dec !== undefined ? (
          <section className="panel" aria-labelledby="review-title" data-testid="create-review">
            <h2 id="review-title">Review</h2>
            <dl className="kv">
              <dt>Plan</dt>
              <dd>
                {pm.plan.name} (initial model sha256 {pm.sha256})
              </dd>
              <dt>Reward escrowed</dt>
              <dd>{terms.reward} tokens</dd>
              <dt>Privacy</dt>
              <dd data-testid="create-privacy">{PRIVACY_SUMMARY[privacy]}</dd>
              <dt>Rent (pool, escrow, vault)</dt>
              <dd>{rent !== undefined ? `${(rent / 1e9).toFixed(6)} SOL (returned when the pool is closed)` : "…"}</dd>
              <dt>Fees</dt>
              <dd>about 0.000005 SOL plus any priority fee; the exact fee is shown before you sign</dd>
              <dt>Total</dt>
              <dd data-testid="create-total">
                {terms.reward} tokens + {totalLamports !== undefined ? `${(totalLamports / 1e9).toFixed(6)} SOL` : "…"}
              </dd>
            </dl>
          </section>
        ) : null}
        {progress.length > 0 ? (
          <ol data-testid="create-progress" aria-live="polite">
            {progress.map((m, i) => (
              <li key={i}>{m}</li>
            ))}
          </ol>
        ) : null}
        {planCid ? (
          <p>
            Plan CID <code data-testid="plan-cid">{planCid}</code>
          </p>
        ) : null}
        {modelCid ? (
          <p>
            Model CID <code data-testid="model-cid">{modelCid}</code>
          </p>
        ) : null}
        {step === "edit" ? (
          <div className="actions">
            <button type="submit" data-testid="create-review-submit">
              Review
            </button>
          </div>
        ) : null}
        {step === "review" ? (
          <div className="actions">
            <button type="button" onClick={() => setStep("edit")}>
              Back
            </button>{" "}
            <button type="submit" data-testid="create-submit">
              Upload, create and fund
            </button>
          </div>
        ) : null}
      </form>
      {created ? (
        <section className="panel" data-testid="created-pool" data-pool={created}>
          <h2>Pool created</h2>
          <p>
            <Link href={`/pools/${created}`}>Open pool {created}</Link>
          </p>
          <p>Run its aggregator (as the wallet {terms.aggregator}):</p>
          <CopyBlock
            label="fedstr-aggregator run command"
            testId="aggregator-command"
            text={`fedstr-aggregator run --pool ${created} --holdout <holdout.csv|.jsonl>`}
          />
        </section>
      ) : null}
    </section>
  );
}
const short = (s: string) => `${s.slice(0, 4)}…${s.slice(-4)}`;
