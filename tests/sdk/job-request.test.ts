/**
 * jobRequestMismatch: the one check `fedstr train` and the aggregator run before acting on a job
 * request, against a pool the real program created (LiteSVM with target/deploy/fedstr.so).
 */

import { jobRequestMismatch, scheduleOf } from "@fedstr/sdk/job";
import type { JobRequest } from "@fedstr/sdk/nostr";
import { cidFromBytes, fetchPool, type PoolAccount } from "@fedstr/sdk/program";
import { Keypair } from "@solana/web3.js";
import { expect } from "chai";
import { type PoolCtx, setupPool } from "../program/fixtures.js";
import { createEnv } from "../program/harness.js";

describe("SDK: a job request checked against its pool", function () {
  let ctx: PoolCtx;
  let account: PoolAccount;
  let job: JobRequest;

  before(async function () {
    const env = await createEnv({ seed: "job-request" });
    ctx = await setupPool(env);
    account = (await fetchPool(env.program, ctx.pool))!;
    const s = scheduleOf(account);
    const mint = ctx.mint.toBase58();
    job = {
      programId: env.program.programId.toBase58(),
      cluster: "localnet",
      pool: ctx.pool.toBase58(),
      planCid: cidFromBytes(account.trainingPlanCid).toString(),
      initialModelCid: cidFromBytes(account.initialModelCid).toString(),
      rounds: account.numRounds,
      reward: { amount: "1000000", mint },
      stake: { amount: account.minStake.toString(), mint },
      deadlines: { join: s.joinDeadline, end: s.roundDeadline(s.numRounds), roundSeconds: s.roundDuration },
      relays: ["ws://127.0.0.1:1"],
      aggregator: "ab".repeat(32),
      privacy: "public",
    };
  });

  const check = (over: Partial<JobRequest>) =>
    jobRequestMismatch({ ...job, ...over }, ctx.pool, account, ctx.env.program.programId);

  it("accepts the request that describes the pool, whatever reward it advertised (fund_pool adds to it)", () => {
    expect(check({})).to.equal(undefined);
    expect(check({ reward: { amount: "1", mint: ctx.mint.toBase58() } })).to.equal(undefined);
    expect(check({ stake: { amount: job.stake.amount } })).to.equal(undefined);
  });

  it("names the first term that differs: pool, program, plan, model, rounds", () => {
    const other = Keypair.generate().publicKey.toBase58();
    expect(check({ pool: other })).to.equal(`it names pool ${other}`);
    expect(check({ programId: other })).to.equal(`it names program ${other}`);
    expect(check({ planCid: job.initialModelCid })).to.equal(
      `its plan ${job.initialModelCid} is not the pool's ${job.planCid}`,
    );
    expect(check({ initialModelCid: job.planCid })).to.equal(
      `its model ${job.planCid} is not the pool's ${job.initialModelCid}`,
    );
    expect(check({ rounds: job.rounds + 1 })).to.equal(`it has ${job.rounds + 1} rounds, the pool ${job.rounds}`);
  });

  it("and the schedule, the minimum stake and the mint", () => {
    const d = job.deadlines;
    expect(check({ deadlines: { ...d, roundSeconds: d.roundSeconds + 1 } })).to.equal(
      `its rounds last ${d.roundSeconds + 1} s, the pool's ${d.roundSeconds} s`,
    );
    expect(check({ deadlines: { ...d, join: d.join - 1 } })).to.equal(
      `its join deadline is ${d.join - 1}, the pool's ${d.join}`,
    );
    expect(check({ deadlines: { ...d, end: d.end + 1 } })).to.equal(
      `its end deadline is ${d.end + 1}, the pool's ${d.end}`,
    );
    expect(check({ stake: { amount: "1", mint: ctx.mint.toBase58() } })).to.equal(
      `its stake 1 is not the pool's minimum stake ${job.stake.amount}`,
    );
    const mint = Keypair.generate().publicKey.toBase58();
    expect(check({ reward: { amount: "1", mint } })).to.equal(
      `it names mint ${mint}, the pool's is ${ctx.mint.toBase58()}`,
    );
    expect(check({ stake: { amount: job.stake.amount, mint } })).to.equal(
      `it names mint ${mint}, the pool's is ${ctx.mint.toBase58()}`,
    );
  });
});
