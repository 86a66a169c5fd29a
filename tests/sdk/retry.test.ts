/** withRetry's give-up rule: after `attempts`, or — with a deadline — once the deadline says it has passed. */
import { withRetry } from "@fedstr/sdk/retry";
import { expect } from "chai";

/** Fails `failures` times with a transient error, then returns "ok"; counts its calls. */
function flaky(failures: number) {
  const f = async () => {
    f.calls++;
    if (f.calls <= failures) throw new Error(`outage ${f.calls}`);
    return "ok";
  };
  f.calls = 0;
  return f;
}

describe("sdk/retry: withRetry", () => {
  it("gives up after its attempts without a deadline, naming what it tried", async () => {
    const fn = flaky(10);
    const err = await withRetry("fetch x", fn, { attempts: 3, maxDelayMs: 1 }).catch((e: Error) => e);
    expect(fn.calls).to.equal(3);
    expect((err as Error).message).to.equal("fetch x: outage 3 (gave up after 3 attempts)");
  });

  it("with a deadline, keeps retrying past its attempts until the deadline has passed", async () => {
    const outage = flaky(7);
    const asked: number[] = [];
    // The deadline passes at the 9th failure: an outage of 7 failures is ridden out.
    const passed = () => {
      asked.push(outage.calls);
      return outage.calls >= 9;
    };
    expect(await withRetry("fetch x", outage, { attempts: 3, maxDelayMs: 1, deadline: passed })).to.equal("ok");
    expect(outage.calls).to.equal(8);
    expect(asked, "asked only once the attempts are spent").to.deep.equal([3, 4, 5, 6, 7]);

    const longer = flaky(20);
    const err = await withRetry("fetch x", longer, {
      attempts: 3,
      maxDelayMs: 1,
      deadline: async () => longer.calls >= 9,
    }).catch((e: Error) => e);
    expect(longer.calls).to.equal(9);
    expect((err as Error).message).to.equal("fetch x: outage 9 (gave up after 9 attempts; its deadline has passed)");
  });

  it("a permanent error is thrown at once, deadline or not", async () => {
    let calls = 0;
    const err = await withRetry(
      "fetch x",
      async () => {
        calls++;
        throw Object.assign(new Error("bad CID"), { permanent: true });
      },
      { attempts: 3, maxDelayMs: 1, deadline: () => false },
    ).catch((e: Error) => e);
    expect(calls).to.equal(1);
    expect((err as Error).message).to.equal("bad CID");
  });
});
