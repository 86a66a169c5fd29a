// Messages between the participant panel and its training worker (features/train/train.worker.ts).
import type { BrowserBackend, Dataset, TrainingPlan } from "@fedstr/sdk/fl";

// Every reply carries the id of the request it answers.
export type WorkerRequest = { id: number } & (
  | { type: "probe"; backend?: BrowserBackend; wasmPaths: string }
  | {
      type: "train";
      backend?: BrowserBackend;
      wasmPaths: string;
      plan: TrainingPlan;
      model: Uint8Array;
      data: Dataset;
      seed: number;
    }
);

export type WorkerReply = { id: number } & (
  | { type: "backend"; backend: BrowserBackend }
  | { type: "batch"; epoch: number; epochs: number; batch: number; batches: number; step: number; steps: number }
  | { type: "epoch"; epoch: number; epochs: number; loss?: number }
  | {
      type: "done";
      backend: BrowserBackend;
      bytes: Uint8Array;
      sha256: string;
      samples: number;
      metrics: Record<string, number>;
      deltaNorm: number;
      durationMs: number;
    }
  | { type: "error"; message: string }
);
