"use client";
// Wallets live in the browser only: the whole tree renders client-side (no server render of
// wallet state, no hydration mismatch).
import dynamic from "next/dynamic";

const Providers = dynamic(() => import("./providers").then((m) => m.Providers), {
  ssr: false,
  loading: () => (
    <p className="muted" style={{ padding: "2rem" }}>
      Loading…
    </p>
  ),
});

export function ClientRoot({ children }: { children: React.ReactNode }) {
  return <Providers>{children}</Providers>;
}
