"use client";
export function CreateWizard() {
  return <h1>CreateWizard</h1>;
}
