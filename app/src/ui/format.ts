import { formatAmount } from "@fedstr/sdk/job";

export const short = (s: string, n = 4) => (s.length <= 2 * n + 1 ? s : `${s.slice(0, n)}…${s.slice(-n)}`);

/** Token amount with the mint's decimals, thousands grouped for reading ("999,990.5"; bigint in, text out; never a float).
 *  Not for input values: parseAmount takes the plain formatAmount form. */
export const amount = (units: bigint | string, decimals: number | undefined) => {
  if (decimals === undefined) return `${units} units`;
  const [whole = "", frac] = formatAmount(units, decimals).split(".");
  const grouped = whole.replace(/\B(?=(\d{3})+(?!\d))/g, ",");
  return frac ? `${grouped}.${frac}` : grouped;
};

/** "3d 4h", "5m 10s": a duration in seconds, for countdowns on the chain clock. */
export function duration(seconds: number): string {
  const s = Math.max(0, Math.floor(seconds));
  const d = Math.floor(s / 86400),
    h = Math.floor((s % 86400) / 3600),
    m = Math.floor((s % 3600) / 60),
    sec = s % 60;
  if (d > 0) return `${d}d ${h}h`;
  if (h > 0) return `${h}h ${m}m`;
  if (m > 0) return `${m}m ${sec}s`;
  return `${sec}s`;
}

/** A deadline against the chain clock: "in 5m 10s, at … UTC", or "overdue since … UTC" once passed. */
export const until = (at: number, now: number) =>
  at > now ? `in ${duration(at - now)}, at ${when(at)}` : `overdue since ${when(at)}`;

/** A unix time (chain seconds) as UTC text. */
export const when = (unix: number) =>
  new Date(unix * 1000)
    .toISOString()
    .replace("T", " ")
    .replace(/\.\d+Z$/, " UTC");
