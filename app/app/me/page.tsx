"use client";
import { MyPools } from "@/features/me/my-pools";
export default function Page() {
  return <MyPools />;
}
