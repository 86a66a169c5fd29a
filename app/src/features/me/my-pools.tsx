"use client";
export function MyPools() {
  return <h1>MyPools</h1>;
}
