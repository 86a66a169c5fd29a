// Reason codes of the round report and of slashes, in words (any other code, e.g. from an older
// aggregator's report, is shown as its name in lower case).
const REASONS: Record<string, string> = {
  NOT_COMMITTED: "a result arrived without a matching on-chain commitment",
  UNAVAILABLE: "the update could not be fetched from IPFS before the deadline",
  NOT_PARTICIPANT: "the wallet has not joined the pool (or withdrew)",
  DECODE_ERROR: "the update is not a canonical weights encoding",
  HASH_MISMATCH: "the update's bytes do not hash to the committed sha256",
  TENSOR_COUNT: "the update has a different number of tensors than the model",
  NAME_MISMATCH: "a tensor's name or order differs from the model",
  DTYPE_MISMATCH: "a tensor's data type differs from the model",
  SHAPE_MISMATCH: "a tensor's shape differs from the model",
  NON_FINITE: "the update contains NaN or infinite values",
  NORM_BOUND: "the update moves the model further than the plan's bound",
  SAMPLES_OUT_OF_RANGE: "the reported sample count is outside the plan's bounds",
  DUPLICATE: "a second update from the same participant, or a copy of an earlier one",
  NOT_SELECTED: "valid, but left out by the robust aggregation strategy",
};

export function reasonInWords(code: string | undefined, detail?: string): string {
  if (!code) return detail ?? "";
  const words = REASONS[code] ?? code.toLowerCase().replace(/_/g, " ");
  return `${words}${detail ? ` (${detail})` : ""}`;
}
