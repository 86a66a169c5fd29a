import { expect } from "chai";
import { digitsPlan, inspectTopology, PlanError, parsePlan, type TrainingPlan } from "../../sdk/src/fl/index.js";

const base = (): TrainingPlan => JSON.parse(JSON.stringify(digitsPlan("ab".repeat(32)))) as TrainingPlan;

function refuse(mutate: (p: Record<string, any>) => void, field: string, msg?: RegExp): void {
  const p = base() as unknown as Record<string, any>;
  mutate(p);
  let err: unknown;
  try {
    parsePlan(JSON.stringify(p));
  } catch (e) {
    err = e;
  }
  expect(err, `expected refusal naming ${field}`).to.be.instanceOf(PlanError);
  expect((err as PlanError).field).to.equal(field);
  expect((err as PlanError).message).to.contain(field);
  if (msg) expect((err as PlanError).message).to.match(msg);
}

describe("fl/plan", () => {
  it("accepts the reference plan and infers the model's shapes and size", () => {
    const p = parsePlan(JSON.stringify(base()));
    expect(p.training.localEpochs).to.equal(2);
    expect(inspectTopology(p.model.topology)).to.deep.equal({
      inputShape: [784],
      outputShape: [10],
      parameters: 784 * 64 + 64 + 64 * 10 + 10,
    });
  });

  it("accepts a CNN and every strategy with its parameters", () => {
    const p = base();
    p.data.features.shape = [28, 28, 1];
    p.model.topology.config.layers = [
      {
        class_name: "Conv2D",
        config: { name: "c1", filters: 8, kernel_size: 3, activation: "relu", batch_input_shape: [null, 28, 28, 1] },
      },
      { class_name: "MaxPooling2D", config: { name: "p1", pool_size: 2 } },
      { class_name: "Flatten", config: { name: "f" } },
      { class_name: "Dense", config: { name: "out", units: 10, activation: "softmax" } },
    ];
    expect(inspectTopology(parsePlan(p).model.topology).parameters).to.equal(3 * 3 * 8 + 8 + 13 * 13 * 8 * 10 + 10);
    for (const a of [
      { strategy: "median" },
      { strategy: "trimmed-mean", trimFraction: 0.2 },
      { strategy: "krum", byzantine: 1, multi: 3 },
      { strategy: "fedadam", learningRate: 0.01 },
      { strategy: "fedyogi" },
      { strategy: "diloco", learningRate: 0.7, momentum: 0.9, nesterov: true },
    ]) {
      expect(parsePlan({ ...base(), aggregation: a }).aggregation).to.deep.equal(a);
    }
  });

  it("refuses an unknown version or format", () => {
    refuse(
      (p) => {
        p.version = 2;
      },
      "plan.version",
      /unsupported plan version 2/,
    );
    refuse((p) => {
      p.format = "other";
    }, "plan.format");
  });

  it("refuses wrong shapes", () => {
    refuse(
      (p) => {
        p.data.features.shape = [28, 28];
      },
      "plan.data.features.shape",
      /does not match the model input/,
    );
    refuse(
      (p) => {
        p.data.preprocessing.oneHot.numClasses = 9;
      },
      "plan.data.labels.shape",
      /does not match the model output/,
    );
    refuse((p) => {
      p.model.topology.config.layers[1].config.target_shape = [3];
      p.model.topology.config.layers[1].class_name = "Reshape";
    }, "plan.model.topology.config.layers[1].config.target_shape");
  });

  it("refuses absurd hyperparameters, naming the field", () => {
    refuse(
      (p) => {
        p.training.optimizer.learningRate = 1e6;
      },
      "plan.training.optimizer.learningRate",
      /<= 10/,
    );
    refuse((p) => {
      p.training.optimizer.learningRate = -1;
    }, "plan.training.optimizer.learningRate");
    refuse((p) => {
      p.training.localEpochs = 0;
    }, "plan.training.localEpochs");
    refuse(
      (p) => {
        p.training.batchSize = 1.5;
      },
      "plan.training.batchSize",
      /integer/,
    );
    refuse((p) => {
      p.training.optimizer.name = "lbfgs";
    }, "plan.training.optimizer.name");
    refuse((p) => {
      p.aggregation = { strategy: "trimmed-mean", trimFraction: 0.7 };
    }, "plan.aggregation.trimFraction");
    refuse((p) => {
      p.aggregation = { strategy: "mystery" };
    }, "plan.aggregation.strategy");
    refuse((p) => {
      p.validation.maxDeltaNorm = 0;
    }, "plan.validation.maxDeltaNorm");
    refuse((p) => {
      p.validation.minSamples = 10;
      p.validation.maxSamples = 5;
    }, "plan.validation.minSamples");
  });

  it("refuses an oversized model before building it", () => {
    refuse(
      (p) => {
        p.model.topology.config.layers[0].config.units = 60000;
      },
      "plan.model.topology",
      /above the limit of 1000000/,
    );
    refuse((p) => {
      p.model.maxParameters = 1e12;
    }, "plan.model.maxParameters");
  });

  it("refuses unknown fields, layers outside the whitelist and missing fields", () => {
    refuse(
      (p) => {
        p.training.script = "rm -rf /";
      },
      "plan.training.script",
      /unknown field/,
    );
    refuse((p) => {
      p.model.topology.config.layers[1].class_name = "Lambda";
    }, "plan.model.topology.config.layers[1].class_name");
    refuse(
      (p) => {
        delete p.evaluation;
      },
      "plan.evaluation",
      /required/,
    );
    refuse((p) => {
      p.model.initialWeights.sha256 = "xyz";
    }, "plan.model.initialWeights.sha256");
  });

  it("refuses non-JSON", () => {
    expect(() => parsePlan("{nope")).to.throw(PlanError, /not JSON/);
  });
});
