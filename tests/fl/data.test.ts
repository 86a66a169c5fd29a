import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { expect } from "chai";
import {
  classOf,
  DataError,
  type Dataset,
  DatasetSizeError,
  datasetForPlan,
  loadCsv,
  loadDigits,
  loadJsonl,
  parseCsv,
  parseJsonl,
  partitionDirichlet,
  partitionIid,
  trainTestSplit,
} from "../../sdk/src/fl/index.js";

const dir = mkdtempSync(join(tmpdir(), "fedstr-fl-data-"));
const file = (name: string, text: string) => {
  const p = join(dir, name);
  writeFileSync(p, text);
  return p;
};
const schema = {
  features: { shape: [2, 2], dtype: "float32" as const },
  labels: { shape: [], dtype: "int32" as const },
};

function err(fn: () => unknown): DataError {
  try {
    fn();
  } catch (e) {
    expect(e).to.be.instanceOf(DataError);
    return e as DataError;
  }
  throw new Error("expected a DataError");
}

describe("fl/data", () => {
  describe("from text (what the web app reads from a picked file)", () => {
    const plan = {
      data: { ...schema, preprocessing: { oneHot: { numClasses: 4 } } },
      validation: { maxDeltaNorm: 1, minSamples: 2, maxSamples: 3 },
    };
    it("parses the same samples from text as from the file", () => {
      const text = '{"x": [[1,2],[3,4]], "y": 3}\n{"x": [5,6,7,8], "y": 1}\n';
      expect(parseJsonl(text, schema)).to.deep.equal(loadJsonl(file("t.jsonl", text), schema));
      expect(parseCsv("1,2,3,4,0\n5,6,7,8,1\n", schema)).to.deep.equal(
        loadCsv(file("t.csv", "1,2,3,4,0\n5,6,7,8,1\n"), schema),
      );
    });
    it("names the line and the field at fault, and a label outside the plan's classes", () => {
      const e = err(() =>
        datasetForPlan("mine.jsonl", '{"x": [1,2,3,4], "y": 1}\n{"x": [[1,2],["a",4]], "y": 1}\n', plan),
      );
      expect([e.file, e.line, e.field]).to.deep.equal(["mine.jsonl", 2, "x"]);
      expect(e.message).to.match(
        /^mine\.jsonl:2: x: expected a number, got "a" \(the plan's data schema: features \[2,2\] float32, labels \[\] int32\)$/,
      );
      const c = err(() => datasetForPlan("mine.csv", "1,2,3,4,0\n1,2,3,4,7\n", plan));
      expect([c.line, c.field]).to.deep.equal([2, "column 5"]);
      expect(c.message).to.match(/column 5: label 7 is not one of the plan's classes 0\.\.3/);
      expect(err(() => datasetForPlan("mine.txt", "", plan)).message).to.match(/must be \.csv or \.jsonl/);
    });
    it("refuses a sample count outside the plan's bounds", () => {
      expect(() => datasetForPlan("one.csv", "1,2,3,4,0\n", plan)).to.throw(
        DatasetSizeError,
        /has 1 samples; the plan accepts updates from 2 to 3 samples/,
      );
      expect(datasetForPlan("two.csv", "1,2,3,4,0\n5,6,7,8,3\n", plan).length).to.equal(2);
    });
  });

  it("loads CSV (with or without header) against the plan's data schema", () => {
    const ds = loadCsv(file("a.csv", "a,b,c,d,label\n1,2,3,4,0\n\n5,6,7,8,1\n"), schema);
    expect(ds.length).to.equal(2);
    expect(Array.from(ds.x)).to.deep.equal([1, 2, 3, 4, 5, 6, 7, 8]);
    expect(Array.from(ds.y)).to.deep.equal([0, 1]);
    expect(loadCsv(file("b.csv", "1,2,3,4,0\n"), schema).length).to.equal(1);
  });

  it("reports malformed CSV rows with file and line", () => {
    const p = file("bad.csv", "a,b,c,d,y\n1,2,3,4,0\n1,2,3,0\n");
    const e = err(() => loadCsv(p, schema));
    expect(e.message).to.equal(`${p}:3: expected 5 columns (4 features + 1 labels), got 4`);
    expect(err(() => loadCsv(file("nan.csv", "1,2,x,4,0\n"), schema)).message).to.match(
      /nan\.csv:1: column 3: "x" is not a finite number/,
    );
    expect(err(() => loadCsv(file("lbl.csv", "1,2,3,4,0.5\n"), schema)).message).to.match(
      /lbl\.csv:1: .*not an integer/,
    );
  });

  it("loads JSON lines (nested or flat features) and reports shape mismatches with file and line", () => {
    const ds = loadJsonl(file("a.jsonl", '{"x": [[1,2],[3,4]], "y": 3}\n{"x": [5,6,7,8], "y": 1}\n'), schema);
    expect(Array.from(ds.x)).to.deep.equal([1, 2, 3, 4, 5, 6, 7, 8]);
    expect(Array.from(ds.y)).to.deep.equal([3, 1]);
    const p = file("b.jsonl", '{"x": [[1,2],[3,4]], "y": 3}\n{"x": [[1,2,3],[3,4,5]], "y": 3}\n');
    expect(err(() => loadJsonl(p, schema)).message).to.match(
      new RegExp(`^${p.replace(/[.]/g, "\\.")}:2: x: shape mismatch`),
    );
    expect(err(() => loadJsonl(file("c.jsonl", '{"x": [[1,2],[3,4]], "y": 3}\n{oops\n'), schema)).message).to.match(
      /c\.jsonl:2: malformed JSON/,
    );
    expect(err(() => loadJsonl(file("d.jsonl", '{"x": [[1,2],[3,4]]}\n'), schema)).message).to.match(
      /d\.jsonl:1: expected an object with "x" and "y"/,
    );
  });

  it("ships real digits and partitions them IID and non-IID (Dirichlet), deterministically", () => {
    const all = loadDigits();
    expect(all.length).to.equal(10000);
    expect(all.featureShape).to.deep.equal([784]);
    const { train, test } = trainTestSplit(all, 2000, 1);
    expect([train.length, test.length]).to.deep.equal([8000, 2000]);
    const count = (parts: Dataset[]) => parts.map((p) => p.length);
    const iid = partitionIid(train, 5, 3);
    expect(count(iid)).to.deep.equal([1600, 1600, 1600, 1600, 1600]);
    const skew = (parts: Dataset[]) => {
      // mean over participants of the share of their most frequent class
      return (
        parts.reduce((acc, p) => {
          const h = new Array(10).fill(0);
          for (let i = 0; i < p.length; i++) h[classOf(p, i)]++;
          return acc + Math.max(...h) / p.length;
        }, 0) / parts.length
      );
    };
    const d1 = partitionDirichlet(train, 5, 0.5, 42);
    const d2 = partitionDirichlet(train, 5, 0.5, 42);
    expect(count(d1)).to.deep.equal(count(d2));
    expect(Array.from(d1[0]!.y.subarray(0, 50))).to.deep.equal(Array.from(d2[0]!.y.subarray(0, 50)));
    expect(count(d1).reduce((a, b) => a + b, 0)).to.equal(8000);
    expect(skew(d1)).to.be.above(skew(iid) + 0.1);
    expect(skew(partitionDirichlet(train, 5, 0.1, 42))).to.be.above(skew(d1));
  });
});
