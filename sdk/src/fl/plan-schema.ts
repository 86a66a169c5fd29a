/** JSON Schema (draft-07, checked with ajv) of training plan version 1. See docs/fl.md. */

const posInt = { type: "integer", minimum: 1 } as const;
const dims = { type: "array", items: posInt, maxItems: 8 } as const;
const kernel = {
  oneOf: [
    { type: "integer", minimum: 1, maximum: 64 },
    { type: "array", items: { type: "integer", minimum: 1, maximum: 64 }, minItems: 2, maxItems: 2 },
  ],
} as const;
const activation = {
  enum: [
    "linear",
    "relu",
    "relu6",
    "elu",
    "selu",
    "sigmoid",
    "tanh",
    "softmax",
    "softplus",
    "softsign",
    "hard_sigmoid",
    "swish",
    "gelu",
  ],
} as const;
const common = {
  name: { type: "string", pattern: "^[A-Za-z][A-Za-z0-9_.-]{0,63}$" },
  trainable: { type: "boolean" },
  dtype: { const: "float32" },
  batch_input_shape: { type: "array", minItems: 2, maxItems: 5, items: [{ type: "null" }], additionalItems: posInt },
  input_shape: dims,
} as const;
const initializer = { type: ["object", "null"] } as const;

function layer(className: string, props: Record<string, unknown>, required: string[] = []) {
  return {
    type: "object",
    required: ["class_name", "config"],
    additionalProperties: false,
    properties: {
      class_name: { const: className },
      config: {
        type: "object",
        required: ["name", ...required],
        additionalProperties: true,
        properties: { ...common, ...props },
      },
    },
  };
}

const layers = {
  type: "object",
  required: ["class_name"],
  properties: {
    class_name: {
      enum: ["Dense", "Conv2D", "MaxPooling2D", "AveragePooling2D", "Flatten", "Dropout", "Reshape", "Activation"],
    },
  },
  discriminator: { propertyName: "class_name" },
  oneOf: [
    layer(
      "Dense",
      {
        units: { type: "integer", minimum: 1, maximum: 65536 },
        activation,
        use_bias: { type: "boolean" },
        kernel_initializer: initializer,
        bias_initializer: initializer,
      },
      ["units"],
    ),
    layer(
      "Conv2D",
      {
        filters: { type: "integer", minimum: 1, maximum: 4096 },
        kernel_size: kernel,
        strides: kernel,
        padding: { enum: ["valid", "same"] },
        data_format: { const: "channels_last" },
        dilation_rate: { oneOf: [{ const: 1 }, { const: [1, 1] }] },
        activation,
        use_bias: { type: "boolean" },
        kernel_initializer: initializer,
        bias_initializer: initializer,
      },
      ["filters", "kernel_size"],
    ),
    layer("MaxPooling2D", {
      pool_size: kernel,
      strides: { oneOf: [kernel, { type: "null" }] },
      padding: { enum: ["valid", "same"] },
      data_format: { const: "channels_last" },
    }),
    layer("AveragePooling2D", {
      pool_size: kernel,
      strides: { oneOf: [kernel, { type: "null" }] },
      padding: { enum: ["valid", "same"] },
      data_format: { const: "channels_last" },
    }),
    layer("Flatten", {}),
    layer(
      "Dropout",
      { rate: { type: "number", minimum: 0, exclusiveMaximum: 1 }, seed: { type: ["integer", "null"] } },
      ["rate"],
    ),
    layer("Reshape", { target_shape: dims }, ["target_shape"]),
    layer("Activation", { activation }, ["activation"]),
  ],
} as const;

const hex32 = { type: "string", pattern: "^[0-9a-f]{64}$" } as const;
const cid = { type: "string", minLength: 10, maxLength: 128, pattern: "^[A-Za-z0-9]+$" } as const;
const rate = { type: "number", exclusiveMinimum: 0, maximum: 10 } as const;

const innerStrategy = (name: string, props: Record<string, unknown> = {}, required: string[] = []) => ({
  type: "object",
  additionalProperties: false,
  required: ["strategy", ...required],
  properties: { strategy: { const: name }, ...props },
});
/** A top-level strategy: an inner one that may also bound the number of updates a round takes. */
const strategy = (name: string, props: Record<string, unknown> = {}, required: string[] = []) =>
  innerStrategy(
    name,
    {
      minUpdates: { type: "integer", minimum: 1, maximum: 100000 },
      maxUpdates: { type: "integer", minimum: 1, maximum: 100000 },
      ...props,
    },
    required,
  );

/** The strategies that aggregate the updates themselves (the server optimizers wrap one of them as `inner`). */
const DIRECT_STRATEGIES = ["fedavg", "median", "trimmed-mean", "krum"];
const directStrategies = (make: typeof innerStrategy) => [
  make("fedavg"),
  make("median"),
  make("trimmed-mean", { trimFraction: { type: "number", minimum: 0, exclusiveMaximum: 0.5 } }, ["trimFraction"]),
  make(
    "krum",
    {
      byzantine: { type: "integer", minimum: 0, maximum: 10000 },
      multi: { type: "integer", minimum: 1, maximum: 100000 },
    },
    ["byzantine"],
  ),
];

const inner = {
  type: "object",
  required: ["strategy"],
  properties: { strategy: { enum: DIRECT_STRATEGIES } },
  discriminator: { propertyName: "strategy" },
  oneOf: directStrategies(innerStrategy),
} as const;

/** FedAdam and FedYogi (Reddi et al. 2021) take the same hyper-parameters. */
const adaptive = {
  inner,
  learningRate: rate,
  beta1: { type: "number", minimum: 0, exclusiveMaximum: 1 },
  beta2: { type: "number", minimum: 0, exclusiveMaximum: 1 },
  tau: { type: "number", exclusiveMinimum: 0, maximum: 1 },
} as const;

export const planSchema = {
  $id: "https://fedstr.dev/schemas/training-plan-1.json",
  type: "object",
  additionalProperties: false,
  required: ["format", "version", "name", "model", "training", "data", "aggregation", "validation", "evaluation"],
  properties: {
    format: { const: "fedstr/training-plan" },
    version: { const: 1 },
    name: { type: "string", minLength: 1, maxLength: 200 },
    description: { type: "string", maxLength: 10000 },
    model: {
      type: "object",
      additionalProperties: false,
      required: ["topology", "initialWeights"],
      properties: {
        topology: {
          type: "object",
          required: ["class_name", "config"],
          properties: {
            class_name: { const: "Sequential" },
            config: {
              type: "object",
              required: ["layers"],
              properties: {
                name: { type: "string" },
                layers: { type: "array", minItems: 1, maxItems: 64, items: layers },
              },
            },
            keras_version: { type: "string" },
            backend: { type: "string" },
          },
          additionalProperties: false,
        },
        initialWeights: {
          type: "object",
          additionalProperties: false,
          required: ["sha256"],
          properties: { cid, sha256: hex32 },
        },
        maxParameters: { type: "integer", minimum: 1, maximum: 100_000_000 },
      },
    },
    training: {
      type: "object",
      additionalProperties: false,
      required: ["optimizer", "loss", "localEpochs", "batchSize"],
      properties: {
        optimizer: {
          type: "object",
          additionalProperties: false,
          required: ["name", "learningRate"],
          properties: {
            name: { enum: ["sgd", "momentum", "adam", "rmsprop"] },
            learningRate: rate,
            momentum: { type: "number", minimum: 0, exclusiveMaximum: 1 },
          },
        },
        loss: {
          enum: ["categoricalCrossentropy", "sparseCategoricalCrossentropy", "meanSquaredError", "binaryCrossentropy"],
        },
        metrics: { type: "array", items: { enum: ["accuracy", "loss"] }, uniqueItems: true },
        localEpochs: { type: "integer", minimum: 1, maximum: 100 },
        batchSize: { type: "integer", minimum: 1, maximum: 65536 },
        maxLocalSteps: { type: "integer", minimum: 1, maximum: 10_000_000 },
        proximalMu: { type: "number", minimum: 0, maximum: 100 },
      },
    },
    data: {
      type: "object",
      additionalProperties: false,
      required: ["features", "labels"],
      properties: {
        features: {
          type: "object",
          additionalProperties: false,
          required: ["shape", "dtype"],
          properties: { shape: { ...dims, minItems: 1 }, dtype: { const: "float32" } },
        },
        labels: {
          type: "object",
          additionalProperties: false,
          required: ["shape", "dtype"],
          properties: { shape: dims, dtype: { enum: ["float32", "int32"] } },
        },
        preprocessing: {
          type: "object",
          additionalProperties: false,
          properties: {
            scale: { type: "number", exclusiveMinimum: 0, maximum: 1e6 },
            offset: { type: "number", minimum: -1e6, maximum: 1e6 },
            oneHot: {
              type: "object",
              additionalProperties: false,
              required: ["numClasses"],
              properties: { numClasses: { type: "integer", minimum: 2, maximum: 100000 } },
            },
          },
        },
      },
    },
    aggregation: {
      type: "object",
      required: ["strategy"],
      properties: { strategy: { enum: [...DIRECT_STRATEGIES, "fedadam", "fedyogi", "diloco"] } },
      discriminator: { propertyName: "strategy" },
      oneOf: [
        ...directStrategies(strategy),
        strategy("fedadam", adaptive),
        strategy("fedyogi", adaptive),
        strategy("diloco", {
          inner,
          learningRate: rate,
          momentum: { type: "number", minimum: 0, exclusiveMaximum: 1 },
          nesterov: { type: "boolean" },
        }),
      ],
    },
    validation: {
      type: "object",
      additionalProperties: false,
      required: ["maxDeltaNorm", "minSamples", "maxSamples"],
      properties: {
        maxDeltaNorm: { type: "number", exclusiveMinimum: 0, maximum: 1e9 },
        minSamples: { type: "integer", minimum: 1 },
        maxSamples: { type: "integer", minimum: 1, maximum: 1e9 },
      },
    },
    privacy: {
      type: "object",
      additionalProperties: false,
      required: ["clipNorm", "noiseMultiplier"],
      properties: {
        clipNorm: { type: "number", exclusiveMinimum: 0, maximum: 1e6 },
        noiseMultiplier: { type: "number", minimum: 0, maximum: 100 },
      },
    },
    evaluation: {
      type: "object",
      additionalProperties: false,
      required: ["metric", "holdout"],
      properties: {
        metric: { enum: ["accuracy", "loss"] },
        holdout: {
          type: "object",
          additionalProperties: false,
          required: ["use"],
          properties: {
            cid,
            sha256: hex32,
            use: { enum: ["report", "gate"] },
            maxRegression: { type: "number", minimum: 0, maximum: 1e6 },
          },
        },
      },
    },
  },
} as const;
