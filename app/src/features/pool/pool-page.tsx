"use client";
export function PoolPage({ address }: { address: string }) {
  return <h1>PoolPage</h1>;
}
