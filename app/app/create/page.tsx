"use client";
import { CreateWizard } from "@/features/create/create-wizard";
export default function Page() {
  return <CreateWizard />;
}
