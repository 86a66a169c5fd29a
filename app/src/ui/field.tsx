import type { ReactNode } from "react";

/** One labelled control of a form in the app's `.field` layout; hints and messages go in after the control. */
export function Field({ id, label, children }: { id: string; label: ReactNode; children: ReactNode }) {
  return (
    <div className="field">
      <label htmlFor={id}>{label}</label>
      {children}
    </div>
  );
}
