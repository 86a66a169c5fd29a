/** Coordinate-wise median (Yin et al. 2018): robust to a minority of arbitrary updates. Unweighted. */
import { type Strategy, sortedCoordinates } from "./strategy.js";

export function coordinateMedian(): Strategy {
  return sortedCoordinates("median", (v) => {
    const K = v.length;
    return K % 2 === 1 ? v[(K - 1) / 2]! : (v[K / 2 - 1]! + v[K / 2]!) / 2;
  });
}
