import { AnchorError } from "@coral-xyz/anchor";
import { FEDSTR_ERRORS } from "./constants.js";

/** The fedstr error name carried by an error thrown from a transaction, if any. */
export function fedstrErrorName(err: unknown): string | undefined {
  if (err instanceof AnchorError) return err.error.errorCode.code;
  const e = err as { logs?: string[]; error?: { errorCode?: { code?: string } } } | undefined;
  if (e?.error?.errorCode?.code) return e.error.errorCode.code;
  const parsed = e?.logs ? AnchorError.parse(e.logs) : null;
  if (parsed) return parsed.error.errorCode.code;
  const m = /custom program error: 0x([0-9a-f]+)/i.exec(String((err as Error)?.message ?? err));
  return m ? FEDSTR_ERRORS.get(parseInt(m[1]!, 16)) : undefined;
}
