"use client";
import { PoolsList } from "@/features/pools-list";
export default function Page() {
  return <PoolsList />;
}
