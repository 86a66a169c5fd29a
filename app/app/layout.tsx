import type { Metadata } from "next";
import "./globals.css";
import "@solana/wallet-adapter-react-ui/styles.css";
import { ClientRoot } from "@/ui/client-root";

export const metadata: Metadata = {
  title: "fedstr — federated learning marketplace",
  description: "Fund, join and follow federated-learning pools on Solana.",
};

export default function RootLayout({ children }: { children: React.ReactNode }) {
  return (
    <html lang="en">
      <body>
        <ClientRoot>{children}</ClientRoot>
      </body>
    </html>
  );
}
