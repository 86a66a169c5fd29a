"use client";
import { use } from "react";
import { PoolPage } from "@/features/pool/pool-page";
export default function Page({ params }: { params: Promise<{ address: string }> }) {
  const { address } = use(params);
  return <PoolPage address={address} />;
}
