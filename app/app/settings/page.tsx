"use client";
import { SettingsPage } from "@/features/settings-page";
export default function Page() {
  return <SettingsPage />;
}
