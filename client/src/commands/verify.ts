/**
 * `fedstr verify <pool> [--round N]`: recompute posted rounds from what was published and compare
 * with the chain. For each round: the round report the round result names on chain (CID and sha256,
 * fetched from IPFS; relays are not asked) must name the posted model and reward root; its previous
 * model must be the chain's; every accepted update must match its on-chain commitment (hash, CID and
 * sample count) and its bytes on IPFS; aggregating them with the plan's strategy must give the posted
 * model hash; each reward share must be the round's reward split by the committed sample counts,
 * and the reward tree must rebuild to the posted root.
 */
import { PublicKey } from "@solana/web3.js";
import { parseCommand, intFlag, COMMON_HELP, withRetry, type Output, type Session } from "@fedstr/sdk/cli";
import { buildRewardTree, cidFromBytes, findCommitmentAddress, findRoundAddress, type RoundResultAccount } from "@fedstr/sdk/program";
import { splitReward, type ContentRef, type RoundReport } from "@fedstr/sdk/job";
import { decode, loadKernel, recompute, toHex, type TrainingPlan } from "@fedstr/sdk/fl";
import { sha256Hex } from "@fedstr/sdk/storage";
import { withSession } from "../session.js";
import { ClientError } from "../errors.js";
import { loadPlan, loadPool, parseAddress, table, type LoadedPool } from "../pool.js";
import { findRoundReport } from "../reports.js";

export const help = `fedstr verify <pool> [--round N] — recompute posted rounds and compare them with the chain

For each posted round (or only round N): fetch the round report the round result names on chain, the
previous global model (and server state) and every accepted update by CID, check each update against
its on-chain commitment (hash, CID, sample count), aggregate them with the plan's strategy and compare
the hash with the posted global model hash; recheck each reward share against the round's reward split
by the committed sample counts; rebuild the reward tree and compare its root with the on-chain root.
Exit status 1 when any round does not verify.

  --round N    verify only round N

${COMMON_HELP}`;


export interface RoundVerification {
  round: number;
  ok: boolean;
  onChainHash: string;
  recomputedHash: string | null;
  accepted: number;
  detail: string;
}

class Mismatch extends Error {}

export async function main(argv: string[], out: Output): Promise<void> {
  const { values, positionals } = parseCommand(argv, { round: { type: "string" } }, { min: 1, max: 1, usage: "<pool>" });
  if (values.help) return out.result({ help }, help);
  const poolAddress = parseAddress(positionals[0], "pool");
  const only = intFlag(values.round, "round", { min: 1, max: 256 });
  const rounds = await withSession(values, async (session) => {
    const pool = await loadPool(session, poolAddress);
    const posted = pool.account.roundsPosted;
    if (only !== undefined && only > posted) throw new ClientError("BadInput", `round ${only} of pool ${pool.summary.address} is not posted (rounds posted: ${posted})`);
    const list = only !== undefined ? [only] : Array.from({ length: posted }, (_, i) => i + 1);
    if (list.length === 0) return [];
    const plan = await loadPlan(session, pool);
    await loadKernel();
    const verifier = new RoundVerifier(session, pool, plan);
    const results: RoundVerification[] = [];
    for (const r of list) {
      out.info(`verifying round ${r}…`);
      results.push(await verifier.verify(r));
    }
    return results;
  });
  const human = rounds.length === 0
    ? "no posted rounds to verify"
    : table(["round", "ok", "accepted", "on-chain hash", "recomputed", "detail"], rounds.map((r) => [
      String(r.round), r.ok ? "yes" : "NO", String(r.accepted), r.onChainHash.slice(0, 16), r.recomputedHash?.slice(0, 16) ?? "-", r.detail,
    ]));
  out.result({ pool: poolAddress.toBase58(), rounds }, human);
  if (rounds.some((r) => !r.ok)) process.exitCode = 1;
}

class RoundVerifier {
  private readonly results = new Map<number, RoundResultAccount | null>();
  private readonly reports = new Map<number, RoundReport | string>();

  constructor(private readonly session: Session, private readonly pool: LoadedPool, private readonly plan: TrainingPlan) {}

  private async result(r: number): Promise<RoundResultAccount | null> {
    if (!this.results.has(r)) {
      const addr = findRoundAddress(this.pool.address, r, this.session.program.programId)[0];
      this.results.set(r, await withRetry("reading the round result", () => this.session.program.account.roundResult.fetchNullable(addr)));
    }
    return this.results.get(r)!;
  }

  /** The report of round r that agrees with the chain, or why there is none. */
  private async report(r: number): Promise<RoundReport | string> {
    if (!this.reports.has(r)) {
      const result = await this.result(r);
      if (result === null) this.reports.set(r, `round ${r} is not posted`);
      else {
        const found = await findRoundReport(this.session, this.pool, r, result);
        this.reports.set(r, "error" in found ? found.error : found.report);
      }
    }
    return this.reports.get(r)!;
  }

  /** Fetch by CID (the store checks the CID) and check the sha256 the report or chain gives. */
  private async fetch(ref: ContentRef, what: string): Promise<Uint8Array> {
    const store = await this.session.store();
    let bytes: Uint8Array;
    try {
      bytes = await withRetry(`fetching ${what}`, () => store.get(ref.cid), { attempts: 4 });
    } catch (e) {
      throw new Mismatch(`${what} ${ref.cid} cannot be fetched: ${(e as Error).message}`);
    }
    const got = sha256Hex(bytes);
    if (got !== ref.sha256) throw new Mismatch(`${what} ${ref.cid} has sha256 ${got}, expected ${ref.sha256}`);
    return bytes;
  }

  async verify(r: number): Promise<RoundVerification> {
    const result = (await this.result(r))!;
    const onChainHash = toHex(result.globalModelHash);
    let accepted = 0;
    let recomputedHash: string | null = null;
    try {
      const report = await this.report(r);
      if (typeof report === "string") throw new Mismatch(report);
      const acceptedUpdates = report.updates.filter((u) => u.accepted);
      accepted = acceptedUpdates.length;
      if (report.model.cid !== cidFromBytes(result.globalModelCid).toString()) throw new Mismatch(`the report names model ${report.model.cid}, the chain ${cidFromBytes(result.globalModelCid).toString()}`);
      if (accepted !== result.acceptedCount) throw new Mismatch(`the report accepts ${accepted} updates, the chain says ${result.acceptedCount}`);
      if (report.reward !== result.reward.toString()) throw new Mismatch(`the report's round reward is ${report.reward}, the chain's ${result.reward.toString()}`);

      // The previous model (and server state) must be what the chain says round r trained from.
      let previous: ContentRef;
      if (r === 1) previous = { cid: this.pool.summary.initialModelCid, sha256: this.plan.model.initialWeights.sha256 };
      else {
        const p = await this.result(r - 1);
        if (p === null) throw new Mismatch(`round ${r - 1} is not posted`);
        previous = { cid: cidFromBytes(p.globalModelCid).toString(), sha256: toHex(p.globalModelHash) };
      }
      if (report.previousModel.cid !== previous.cid || report.previousModel.sha256 !== previous.sha256) throw new Mismatch(`the report's previous model ${report.previousModel.cid} is not the model round ${r} trained from (${previous.cid})`);
      if (r > 1 && report.previousState !== undefined) {
        const prev = await this.report(r - 1);
        if (typeof prev !== "string" && (prev.state?.cid !== report.previousState.cid || prev.state?.sha256 !== report.previousState.sha256)) throw new Mismatch(`the report's previous server state ${report.previousState.cid} is not round ${r - 1}'s state`);
      }
      const global = decode(await this.fetch(previous, "the previous model"), { copy: true });
      const state = report.previousState !== undefined ? decode(await this.fetch(report.previousState, "the previous server state"), { copy: true }) : undefined;

      // Every accepted update: committed on chain with this hash and CID, and these bytes on IPFS.
      const updates: { bytes: Uint8Array; numSamples: number }[] = [];
      const committedSamples: bigint[] = [];
      for (const u of acceptedUpdates) {
        const addr = findCommitmentAddress(this.pool.address, new PublicKey(u.participant), r, this.session.program.programId)[0];
        const c = await withRetry("reading a commitment", () => this.session.program.account.commitment.fetchNullable(addr));
        if (c === null) throw new Mismatch(`accepted update of ${u.participant} has no commitment on chain`);
        if (toHex(c.updateHash) !== u.sha256 || cidFromBytes(c.updateCid).toString() !== u.cid) throw new Mismatch(`accepted update of ${u.participant} (${u.cid}) differs from its on-chain commitment`);
        if (c.samples.toString() !== String(u.samples)) throw new Mismatch(`accepted update of ${u.participant} is weighted by ${u.samples} samples, its commitment says ${c.samples.toString()}`);
        committedSamples.push(BigInt(c.samples.toString()));
        updates.push({ bytes: await this.fetch({ cid: u.cid, sha256: u.sha256 }, `the update of ${u.participant}`), numSamples: u.samples });
      }

      // Rewards: the tree rebuilt from its leaves gives the posted root; every leaf is an accepted update.
      const leaves = report.rewards.leaves.map((l) => ({ participant: new PublicKey(l.participant), updateHash: Buffer.from(l.updateHash, "hex"), weight: BigInt(l.weight), reward: BigInt(l.reward) }));
      const root = buildRewardTree(this.pool.address, r, leaves).root.toString("hex");
      if (root !== toHex(result.merkleRoot)) throw new Mismatch(`the reward tree rebuilds to root ${root}, the chain has ${toHex(result.merkleRoot)}`);
      for (const l of report.rewards.leaves) {
        if (!acceptedUpdates.some((u) => u.participant === l.participant && u.sha256 === l.updateHash)) throw new Mismatch(`reward leaf of ${l.participant} is not an accepted update`);
      }
      const total = leaves.reduce((s, l) => s + l.reward, 0n);
      if (total > BigInt(result.reward.toString())) throw new Mismatch(`the reward leaves sum to ${total}, above the round reward ${result.reward.toString()}`);
      // Every share: the round's on-chain reward split by the committed sample counts (in report order).
      const shares = splitReward(BigInt(result.reward.toString()), committedSamples);
      for (const [k, u] of acceptedUpdates.entries()) {
        const leaf = report.rewards.leaves.find((l) => l.participant === u.participant && l.updateHash === u.sha256);
        if (leaf === undefined) throw new Mismatch(`accepted update of ${u.participant} has no reward leaf`);
        if (BigInt(leaf.weight) !== committedSamples[k]) throw new Mismatch(`reward leaf of ${u.participant} has weight ${leaf.weight}, its commitment ${committedSamples[k]} samples`);
        if (BigInt(leaf.reward) !== shares[k] || u.reward !== shares[k]!.toString()) throw new Mismatch(`reward share of ${u.participant} is ${leaf.reward} (report entry ${u.reward}), the round reward ${result.reward.toString()} split by sample counts gives ${shares[k]}`);
      }
      for (const u of report.updates) {
        if (!u.accepted && u.reward !== "0") throw new Mismatch(`rejected update of ${u.participant} has reward ${u.reward}`);
      }

      if (updates.length === 0) {
        recomputedHash = previous.sha256;
        if (onChainHash !== previous.sha256) throw new Mismatch("no update was accepted, yet the posted model differs from the previous one");
      } else {
        recomputedHash = toHex(recompute({ aggregation: this.plan.aggregation, global, ...(state !== undefined ? { state } : {}), updates }));
        if (recomputedHash !== onChainHash) throw new Mismatch(`aggregating the ${updates.length} accepted updates with ${this.plan.aggregation.strategy} gives ${recomputedHash}, the chain has ${onChainHash}`);
      }
      return { round: r, ok: true, onChainHash, recomputedHash, accepted, detail: `${accepted} accepted update(s) aggregate to the posted model; reward root matches` };
    } catch (e) {
      if (!(e instanceof Mismatch)) throw e;
      return { round: r, ok: false, onChainHash, recomputedHash, accepted, detail: e.message };
    }
  }
}
