/**
 * Coordinate-wise trimmed mean (Yin et al. 2018): per coordinate, drop the floor(β·K) smallest and
 * largest values and average the rest (ascending order, float64 sum). Unweighted.
 */
import { AggregationError, type Strategy, sortedCoordinates } from "./strategy.js";

export function trimmedMean(trimFraction: number): Strategy {
  if (!(trimFraction >= 0 && trimFraction < 0.5)) throw new AggregationError("trimFraction must be in [0, 0.5)");
  return sortedCoordinates("trimmed-mean", (v) => {
    const cut = Math.floor(trimFraction * v.length);
    let s = 0;
    for (let j = cut; j < v.length - cut; j++) s += v[j]!;
    return s / (v.length - 2 * cut);
  });
}
