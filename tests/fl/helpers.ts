import { type ClientUpdate, createRng, type Weights } from "../../sdk/src/fl/index.js";

export function randomWeights(seed: number, shapes: Record<string, number[]>, scale = 1): Weights {
  const rng = createRng(seed);
  return Object.entries(shapes).map(([name, shape]) => {
    const n = shape.reduce((a, b) => a * b, 1);
    const values = new Float32Array(n);
    for (let i = 0; i < n; i++) values[i] = rng.normal() * scale;
    return { name, dtype: "float32" as const, shape, values };
  });
}

export function perturb(global: Weights, seed: number, scale: number, numSamples: number): ClientUpdate {
  const rng = createRng(seed);
  return {
    numSamples,
    weights: global.map((t) => ({
      ...t,
      shape: [...t.shape],
      values: (t.values as Float32Array).map((v) => v + scale * rng.normal()),
    })),
  };
}

export const SHAPES = { "dense_1/kernel": [6, 4], "dense_1/bias": [4], "dense_2/kernel": [4, 3], "dense_2/bias": [3] };
