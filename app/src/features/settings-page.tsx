"use client";
import { type ReactNode, useState } from "react";
import { priorityFee, setPriorityFee } from "@/data-access/send-tx";
import { useSettings } from "@/data-access/settings";
import { Field } from "@/ui/field";

const CLUSTERS = ["localnet", "devnet", "testnet", "mainnet-beta"] as const;

/** An address setting: empty means the server's value, shown as the placeholder. */
function UrlSetting(props: {
  id: string;
  name: string;
  label: string;
  value: string;
  server: string;
  onChange: (value: string) => void;
  children?: ReactNode;
}) {
  return (
    <Field id={props.id} label={props.label}>
      <input
        id={props.id}
        name={props.name}
        value={props.value}
        placeholder={props.server}
        onChange={(e) => props.onChange(e.target.value)}
        size={50}
      />
      {props.children}
    </Field>
  );
}

export function SettingsPage() {
  const { config, server, overrides, setOverrides } = useSettings();
  const [rpcUrl, setRpc] = useState(overrides.rpcUrl ?? "");
  const [cluster, setCluster] = useState(overrides.cluster ?? "");
  const [relays, setRelays] = useState((overrides.relays ?? []).join(", "));
  const [gateway, setGateway] = useState(overrides.gateway ?? "");
  const [priority, setPriority] = useState(String(priorityFee()));
  const [error, setError] = useState<string>();
  const save = () => {
    const urlOk = (s: string, protos: string[]) => {
      try {
        return protos.includes(new URL(s).protocol);
      } catch {
        return false;
      }
    };
    const rl = relays
      .split(",")
      .map((s) => s.trim())
      .filter(Boolean);
    if (rpcUrl && !urlOk(rpcUrl, ["http:", "https:"])) return setError("RPC URL must be an http(s) URL");
    if (rl.some((r) => !urlOk(r, ["ws:", "wss:"]))) return setError("Relays must be ws:// or wss:// URLs");
    if (gateway && !urlOk(gateway, ["http:", "https:"])) return setError("IPFS gateway must be an http(s) URL");
    if (!/^[0-9]+$/.test(priority))
      return setError("Priority fee must be a whole number of micro-lamports per compute unit");
    setError(undefined);
    setPriorityFee(Number(priority));
    setOverrides({
      ...(cluster ? { cluster: cluster as (typeof CLUSTERS)[number] } : {}),
      ...(rpcUrl ? { rpcUrl } : {}),
      ...(rl.length ? { relays: rl } : {}),
      ...(gateway ? { gateway } : {}),
    });
  };
  return (
    <section aria-labelledby="settings-title">
      <h1 id="settings-title">Settings</h1>
      <p>
        Empty fields use the server's configuration ({server.source ?? "defaults"}). Your choices are kept in this
        browser.
      </p>
      <form
        data-testid="settings-form"
        onSubmit={(e) => {
          e.preventDefault();
          save();
        }}
      >
        <Field id="s-cluster" label="Cluster">
          <select id="s-cluster" name="cluster" value={cluster} onChange={(e) => setCluster(e.target.value)}>
            <option value="">server: {server.cluster}</option>
            {CLUSTERS.map((c) => (
              <option key={c} value={c}>
                {c}
              </option>
            ))}
          </select>
        </Field>
        <UrlSetting id="s-rpc" name="rpcUrl" label="RPC URL" value={rpcUrl} server={server.rpcUrl} onChange={setRpc} />
        <UrlSetting
          id="s-relays"
          name="relays"
          label="Relays (comma-separated)"
          value={relays}
          server={server.relays.join(", ")}
          onChange={setRelays}
        />
        <UrlSetting
          id="s-gateway"
          name="gateway"
          label="IPFS gateway"
          value={gateway}
          server={server.gateway}
          onChange={setGateway}
        >
          <div className="hint">
            Uploads always go through this app's server ({server.storage}); reads use the gateway and are verified
            against the CID.
          </div>
        </UrlSetting>
        <Field id="s-priority" label="Priority fee (micro-lamports per compute unit)">
          <input id="s-priority" name="priority" value={priority} onChange={(e) => setPriority(e.target.value)} />
        </Field>
        {error ? (
          <p role="alert" className="error" data-testid="settings-error">
            {error}
          </p>
        ) : null}
        <button type="submit" data-testid="settings-save">
          Save
        </button>
      </form>
      <h2>In use</h2>
      <dl className="kv" data-testid="settings-current">
        <dt>Cluster</dt>
        <dd>{config.cluster}</dd>
        <dt>RPC</dt>
        <dd>{config.rpcUrl}</dd>
        <dt>Program</dt>
        <dd>{config.programId}</dd>
        <dt>Relays</dt>
        <dd>{config.relays.join(", ")}</dd>
        <dt>IPFS gateway</dt>
        <dd>{config.gateway}</dd>
      </dl>
    </section>
  );
}
