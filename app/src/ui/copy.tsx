"use client";
import { toast } from "sonner";

/** A command or id the user copies (shown in full, selectable, with a copy button). */
export function CopyBlock({ text, testId, label }: { text: string; testId?: string; label: string }) {
  return (
    <div className="copy">
      <pre data-testid={testId} aria-label={label} tabIndex={0}>{text}</pre>
      <button type="button" onClick={() => void navigator.clipboard?.writeText(text).then(() => toast.success("Copied"))}>Copy</button>
    </div>
  );
}
