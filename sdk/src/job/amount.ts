/** Token amounts as integers of base units (bigint) and their decimal text with the mint's decimals; never floats. */

export class AmountError extends Error {
  override name = "AmountError";
}

/**
 * Base units from a decimal string with up to `decimals` fraction digits ("1.5" with 6 decimals =
 * 1500000n); the error says what was wrong with it.
 */
export function parseAmount(value: string, decimals: number): bigint {
  const m = /^([0-9]+)(?:\.([0-9]+))?$/.exec(value);
  if (!m || (m[2]?.length ?? 0) > decimals)
    throw new AmountError(`must be a token amount with at most ${decimals} decimals, got ${JSON.stringify(value)}`);
  const v = BigInt(m[1]!) * 10n ** BigInt(decimals) + BigInt((m[2] ?? "").padEnd(decimals, "0") || "0");
  if (v > 0xffff_ffff_ffff_ffffn) throw new AmountError(`${value} does not fit in a u64 of base units`);
  return v;
}

/** Format base units with the mint's decimals ("1500000", 6 → "1.5"). */
export function formatAmount(units: bigint | string, decimals: number): string {
  const v = BigInt(units);
  if (decimals === 0) return v.toString();
  const s = v.toString().padStart(decimals + 1, "0");
  const frac = s.slice(-decimals).replace(/0+$/, "");
  return frac ? `${s.slice(0, -decimals)}.${frac}` : s.slice(0, -decimals);
}
