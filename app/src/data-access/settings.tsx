"use client";
import { useQuery } from "@tanstack/react-query";
// Settings: the server's config (the CLI's rules) as defaults, the user's overrides in localStorage.
import { createContext, useContext, useEffect, useMemo, useState } from "react";
import { applyOverrides, type PublicConfig, type SettingsOverrides } from "@/lib/public-config";

const STORAGE_KEY = "fedstr.settings.v1";

interface SettingsValue {
  config: PublicConfig;
  server: PublicConfig;
  overrides: SettingsOverrides;
  setOverrides(o: SettingsOverrides): void;
}
const SettingsContext = createContext<SettingsValue | null>(null);

function readOverrides(): SettingsOverrides {
  try {
    const raw = localStorage.getItem(STORAGE_KEY);
    return raw ? (JSON.parse(raw) as SettingsOverrides) : {};
  } catch {
    return {};
  }
}

export function SettingsProvider({ children }: { children: React.ReactNode }) {
  const server = useQuery({
    queryKey: ["server-config"],
    queryFn: async (): Promise<PublicConfig> => {
      const res = await fetch("/api/config");
      const body = await res.json();
      if (!res.ok) throw new Error(body.error ?? `config: HTTP ${res.status}`);
      return body as PublicConfig;
    },
    staleTime: Infinity,
  });
  const [overrides, setState] = useState<SettingsOverrides>(() => readOverrides());
  useEffect(() => {
    localStorage.setItem(STORAGE_KEY, JSON.stringify(overrides));
  }, [overrides]);
  const value = useMemo(
    () =>
      server.data
        ? { config: applyOverrides(server.data, overrides), server: server.data, overrides, setOverrides: setState }
        : null,
    [server.data, overrides],
  );
  if (server.error)
    return (
      <p role="alert" data-testid="config-error" style={{ padding: "2rem" }}>
        The server has no usable fedstr config: {server.error.message}
      </p>
    );
  if (!value)
    return (
      <p className="muted" style={{ padding: "2rem" }}>
        Reading the network configuration…
      </p>
    );
  return <SettingsContext.Provider value={value}>{children}</SettingsContext.Provider>;
}

export function useSettings(): SettingsValue {
  const v = useContext(SettingsContext);
  if (!v) throw new Error("useSettings outside SettingsProvider");
  return v;
}
