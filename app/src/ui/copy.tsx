"use client";
import { toast } from "sonner";

/** A command or id the user copies (shown in full, selectable, with a copy button). */
export function CopyBlock({ text, testId, label }: { text: string; testId?: string; label: string }) {
  return (
    <div className="copy">
      {/* biome-ignore lint/a11y/noNoninteractiveTabindex: a scrollable block must be reachable by keyboard (axe: scrollable-region-focusable) */}
      {/* biome-ignore lint/a11y/useAriaPropsSupportedByRole: the label names the focusable block for screen readers */}
      <pre data-testid={testId} aria-label={label} tabIndex={0}>
        {text}
      </pre>
      <button
        type="button"
        onClick={() => void navigator.clipboard?.writeText(text).then(() => toast.success("Copied"))}
      >
        Copy
      </button>
    </div>
  );
}
