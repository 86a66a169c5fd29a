import type { AggregationConfig } from "../plan.js";
import { diloco } from "./diloco.js";
import { fedAvg } from "./fedavg.js";
import { fedOpt } from "./fedopt.js";
import { krum } from "./krum.js";
import { coordinateMedian } from "./median.js";
import type { Strategy } from "./strategy.js";
import { trimmedMean } from "./trimmed-mean.js";

export { type AggregationBudget, aggregationBudget, HELD_UPDATES_BYTES, KRUM_PAIRWISE_TERMS } from "./budget.js";
export { type DiLoCoOptions, diloco } from "./diloco.js";
export { FedAvgAccumulator, fedAvg, weightedMean } from "./fedavg.js";
export { type FedOptOptions, fedOpt } from "./fedopt.js";
export { kernelError, loadKernel } from "./kernel.js";
export { krum, krumScores } from "./krum.js";
export { coordinateMedian } from "./median.js";
export * from "./strategy.js";
export { trimmedMean } from "./trimmed-mean.js";

/** The strategy a plan's `aggregation` section names. */
export function createStrategy(cfg: AggregationConfig): Strategy {
  switch (cfg.strategy) {
    case "fedavg":
      return fedAvg();
    case "median":
      return coordinateMedian();
    case "trimmed-mean":
      return trimmedMean(cfg.trimFraction);
    case "krum":
      return krum(cfg.byzantine, cfg.multi ?? 1);
    case "fedadam":
      return fedOpt("adam", cfg, cfg.inner ? createStrategy(cfg.inner) : undefined);
    case "fedyogi":
      return fedOpt("yogi", cfg, cfg.inner ? createStrategy(cfg.inner) : undefined);
    case "diloco":
      return diloco(cfg, cfg.inner ? createStrategy(cfg.inner) : undefined);
  }
}
