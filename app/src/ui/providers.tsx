"use client";
import { ConnectionProvider, WalletProvider } from "@solana/wallet-adapter-react";
import { WalletModalProvider } from "@solana/wallet-adapter-react-ui";
import { QueryClient, QueryClientProvider } from "@tanstack/react-query";
import { useMemo } from "react";
import { Toaster } from "sonner";
import { SettingsProvider, useSettings } from "@/data-access/settings";
import { Shell } from "./shell";

function Chain({ children }: { children: React.ReactNode }) {
  const { config } = useSettings();
  return (
    <ConnectionProvider
      endpoint={config.rpcUrl}
      config={{ commitment: "confirmed", ...(config.wsUrl ? { wsEndpoint: config.wsUrl } : {}) }}
    >
      {/* wallets={[]}: Wallet Standard discovery finds Phantom, Solflare, Backpack and any other standard wallet. */}
      <WalletProvider wallets={[]} autoConnect>
        <WalletModalProvider>{children}</WalletModalProvider>
      </WalletProvider>
    </ConnectionProvider>
  );
}

export function Providers({ children }: { children: React.ReactNode }) {
  const client = useMemo(() => new QueryClient({ defaultOptions: { queries: { staleTime: 2_000, retry: 2 } } }), []);
  return (
    <QueryClientProvider client={client}>
      <SettingsProvider>
        <Chain>
          <Shell>{children}</Shell>
        </Chain>
      </SettingsProvider>
      {/* Top right, below the top bar (its wallet button stays free): the pages' actions and Copy buttons sit lower down. */}
      <Toaster position="top-right" offset={{ top: 80 }} richColors closeButton toastOptions={{ duration: 8000 }} />
    </QueryClientProvider>
  );
}
