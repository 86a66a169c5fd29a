"use client";
import { WalletMultiButton } from "@solana/wallet-adapter-react-ui";
import Link from "next/link";
import { usePathname } from "next/navigation";
import { useSettings } from "@/data-access/settings";
import { RelayBanner } from "@/features/relay-banner";

const NAV = [
  { href: "/", label: "Pools" },
  { href: "/create", label: "Create a pool" },
  { href: "/me", label: "My pools" },
  { href: "/settings", label: "Settings" },
];

export function Shell({ children }: { children: React.ReactNode }) {
  const path = usePathname();
  const { config } = useSettings();
  return (
    <>
      <header className="topbar">
        <Link href="/" className="brand">
          fedstr
        </Link>
        <nav aria-label="Main">
          {NAV.map((n) => (
            <Link key={n.href} href={n.href} aria-current={path === n.href ? "page" : undefined}>
              {n.label}
            </Link>
          ))}
        </nav>
        <span className="cluster" data-testid="cluster">
          {config.cluster}
        </span>
        <WalletMultiButton />
      </header>
      <RelayBanner />
      <main id="main">{children}</main>
    </>
  );
}
