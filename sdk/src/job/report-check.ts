/** Whether a fetched round report is the one the chain posted (shared by the CLI's and the web app's report lookups). */

import { toHex } from "../fl/codec.js";
import { cidFromBytes } from "../storage/cid.js";
import type { ContentRef, RoundReport } from "./report.js";

/** Why `report` is not round `round` of `pool` as posted on chain (`result`), or undefined when it is. */
export function reportMismatch(
  report: RoundReport,
  expected: {
    programId: string;
    pool: string;
    round: number;
    result: { globalModelHash: Uint8Array | number[]; merkleRoot: Uint8Array | number[] };
  },
): string | undefined {
  if (report.pool !== expected.pool || report.round !== expected.round)
    return `is for pool ${report.pool} round ${report.round}`;
  if (report.programId !== expected.programId) return `is for program ${report.programId}`;
  if (report.model.sha256 !== toHex(expected.result.globalModelHash))
    return `names model ${report.model.sha256}, the chain ${toHex(expected.result.globalModelHash)}`;
  if (report.rewards.root !== toHex(expected.result.merkleRoot))
    return `has reward root ${report.rewards.root}, the chain ${toHex(expected.result.merkleRoot)}`;
  return undefined;
}

/** The report reference a posted round result anchors on chain (`post_round` records it). */
export function reportRefOf(result: {
  reportCid: Uint8Array | number[];
  reportSha256: Uint8Array | number[];
}): ContentRef {
  return { cid: cidFromBytes(Uint8Array.from(result.reportCid)).toString(), sha256: toHex(result.reportSha256) };
}
