/**
 * `fedstr verify <pool> [--round N]`: recompute posted rounds from what was published and compare
 * with the chain. For each round: the round report the round result names on chain (CID and sha256,
 * fetched from IPFS; relays are not asked) must name the posted model and reward root; its previous
 * model must be the chain's; every accepted update must match its on-chain commitment (hash, CID and
 * sample count: the account, or once closed the UpdateCommitted event in the ledger) and its bytes on IPFS; aggregating them with the plan's strategy must give the posted
 * model hash; each reward share must be the round's reward split by the committed sample counts,
 * and the reward tree must rebuild to the posted root. The checks are the SDK's verifyRoundReport;
 * in a sealed pool the committed updates are opened with the disclosed round keys (--keys).
 */

import { readFileSync } from "node:fs";
import { COMMON_HELP, intFlag, type Output, parseCommand, type Session, withRetry } from "@fedstr/sdk/cli";
import { loadKernel, type TrainingPlan, toHex } from "@fedstr/sdk/fl";
import { type ContentRef, RoundMismatch, type RoundReport, verifyRoundReport } from "@fedstr/sdk/job";
import {
  checkRoundKey,
  type DisclosedKeys,
  isSealed,
  keyFromHex,
  openUpdate,
  parseDisclosedKeys,
  SealError,
} from "@fedstr/sdk/privacy";
import {
  cidFromBytes,
  findCommitmentAddress,
  findRoundAddress,
  findUpdateCommitted,
  type RoundResultAccount,
} from "@fedstr/sdk/program";
import { sha256Hex } from "@fedstr/sdk/storage";
import { PublicKey } from "@solana/web3.js";
import { ClientError } from "../errors.js";
import { type LoadedPool, loadJob, loadPlan, loadPool, parseAddress, table } from "../pool.js";
import { findRoundReport } from "../reports.js";
import { withSession } from "../session.js";

export const help = `fedstr verify <pool> [--round N] [--keys <file>] — recompute posted rounds and compare them with the chain

For each posted round (or only round N): fetch the round report the round result names on chain, the
previous global model (and server state) and every accepted update by CID, check each update against
its on-chain commitment (hash, CID, sample count), aggregate them with the plan's strategy and compare
the hash with the posted global model hash; recheck each reward share against the round's reward split
by the committed sample counts; rebuild the reward tree and compare its root with the on-chain root.
Exit status 1 when any round does not verify.

A sealed pool's updates are ciphertext: only a holder of a round's key can recompute that round.
With --keys, each key is first checked against the round's public key in the job request (whose id
is on chain), then the committed updates are opened with it; a wrong key fails the round.

  --round N       verify only round N
  --keys <file>   sealed pool: the disclosed round keys (\`fedstr-aggregator disclose --json\`)

${COMMON_HELP}`;

export interface RoundVerification {
  round: number;
  ok: boolean;
  onChainHash: string;
  recomputedHash: string | null;
  accepted: number;
  detail: string;
}

export async function main(argv: string[], out: Output): Promise<void> {
  const { values, positionals } = parseCommand(
    argv,
    { round: { type: "string" }, keys: { type: "string" } },
    { min: 1, max: 1, usage: "<pool>" },
  );
  if (values.help) return out.result({ help }, help);
  const poolAddress = parseAddress(positionals[0], "pool");
  const only = intFlag(values.round, "round", { min: 1, max: 256 });
  const keysFile = values.keys;
  let keys: DisclosedKeys | undefined;
  if (keysFile !== undefined) {
    let text: string;
    try {
      text = readFileSync(keysFile, "utf8");
    } catch (e) {
      throw new ClientError("BadInput", `--keys ${keysFile} cannot be read: ${(e as Error).message}`);
    }
    try {
      keys = parseDisclosedKeys(JSON.parse(text));
    } catch (e) {
      throw new ClientError("BadInput", `--keys ${keysFile}: ${(e as Error).message}`);
    }
    if (keys.pool !== poolAddress.toBase58())
      throw new ClientError(
        "BadInput",
        `--keys ${keysFile} holds keys of pool ${keys.pool}, not ${poolAddress.toBase58()}`,
      );
  }
  const rounds = await withSession(values, async (session) => {
    const pool = await loadPool(session, poolAddress);
    const posted = pool.account.roundsPosted;
    if (only !== undefined && only > posted)
      throw new ClientError(
        "BadInput",
        `round ${only} of pool ${pool.summary.address} is not posted (rounds posted: ${posted})`,
      );
    const list = only !== undefined ? [only] : Array.from({ length: posted }, (_, i) => i + 1);
    if (list.length === 0) return [];
    const plan = await loadPlan(session, pool);
    await loadKernel();
    let sealed: ConstructorParameters<typeof RoundVerifier>[3];
    if (keys !== undefined) {
      // The disclosed keys are checked against the round keys the job request lists (its id is on chain).
      const { job } = await loadJob(session, pool);
      if (job.seal === undefined)
        throw new ClientError(
          "BadInput",
          `pool ${pool.summary.address} is public: its updates are readable by anyone, --keys is not needed`,
        );
      sealed = { seal: job.seal, keys, file: keysFile! };
    }
    const verifier = new RoundVerifier(session, pool, plan, sealed);
    const results: RoundVerification[] = [];
    for (const r of list) {
      out.info(`verifying round ${r}…`);
      results.push(await verifier.verify(r));
    }
    return results;
  });
  const human =
    rounds.length === 0
      ? "no posted rounds to verify"
      : table(
          ["round", "ok", "accepted", "on-chain hash", "recomputed", "detail"],
          rounds.map((r) => [
            String(r.round),
            r.ok ? "yes" : "NO",
            String(r.accepted),
            r.onChainHash.slice(0, 16),
            r.recomputedHash?.slice(0, 16) ?? "-",
            r.detail,
          ]),
        );
  out.result({ pool: poolAddress.toBase58(), rounds }, human);
  if (rounds.some((r) => !r.ok)) process.exitCode = 1;
}

class RoundVerifier {
  private readonly results = new Map<number, RoundResultAccount | null>();
  private readonly reports = new Map<number, RoundReport | string>();

  constructor(
    private readonly session: Session,
    private readonly pool: LoadedPool,
    private readonly plan: TrainingPlan,
    private readonly sealed?: { seal: { id: string; keys: string[] }; keys: DisclosedKeys; file: string },
  ) {}

  private async result(r: number): Promise<RoundResultAccount | null> {
    if (!this.results.has(r)) {
      const addr = findRoundAddress(this.pool.address, r, this.session.program.programId)[0];
      this.results.set(
        r,
        await withRetry("reading the round result", () => this.session.program.account.roundResult.fetchNullable(addr)),
      );
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
      throw new RoundMismatch(`${what} ${ref.cid} cannot be fetched: ${(e as Error).message}`);
    }
    const got = sha256Hex(bytes);
    if (got !== ref.sha256) throw new RoundMismatch(`${what} ${ref.cid} has sha256 ${got}, expected ${ref.sha256}`);
    return bytes;
  }

  async verify(r: number): Promise<RoundVerification> {
    const result = (await this.result(r))!;
    const onChainHash = toHex(result.globalModelHash);
    const report = await this.report(r);
    if (typeof report === "string")
      return { round: r, ok: false, onChainHash, recomputedHash: null, accepted: 0, detail: report };
    let previous: ContentRef;
    if (r === 1) previous = { cid: this.pool.summary.initialModelCid, sha256: this.plan.model.initialWeights.sha256 };
    else {
      const p = await this.result(r - 1);
      if (p === null)
        return {
          round: r,
          ok: false,
          onChainHash,
          recomputedHash: null,
          accepted: 0,
          detail: `round ${r - 1} is not posted`,
        };
      previous = { cid: cidFromBytes(p.globalModelCid).toString(), sha256: toHex(p.globalModelHash) };
    }
    const prevReport = r > 1 ? await this.report(r - 1) : undefined;
    const open = this.opener(r);
    const v = await verifyRoundReport({
      report,
      pool: this.pool.address,
      round: r,
      aggregation: this.plan.aggregation,
      onChain: {
        model: { cid: cidFromBytes(result.globalModelCid).toString(), sha256: onChainHash },
        reward: BigInt(result.reward.toString()),
        acceptedCount: result.acceptedCount,
        merkleRoot: toHex(result.merkleRoot),
      },
      previous,
      ...(prevReport !== undefined && typeof prevReport !== "string"
        ? { previousRoundState: prevReport.state ?? null }
        : {}),
      commitment: async (participant) => {
        const addr = findCommitmentAddress(
          this.pool.address,
          new PublicKey(participant),
          r,
          this.session.program.programId,
        )[0];
        const c = await withRetry("reading a commitment", () =>
          this.session.program.account.commitment.fetchNullable(addr),
        );
        // Closed after the round was posted (its rent went back): what it held is in the ledger's
        // UpdateCommitted event of the transaction that created it.
        const committed =
          c ??
          (await withRetry("reading a commitment from the ledger", () =>
            findUpdateCommitted(this.session.program, this.pool.address, new PublicKey(participant), r),
          ));
        return committed === null
          ? null
          : {
              cid: cidFromBytes(committed.updateCid).toString(),
              sha256: toHex(committed.updateHash),
              samples: BigInt(committed.samples.toString()),
            };
      },
      fetch: (ref, what) => this.fetch(ref, what),
      open,
    });
    return { round: r, ...v, onChainHash };
  }

  /**
   * How round r's committed updates become plaintext: public job — they are; sealed — open them
   * with the disclosed round key, checked first against the round's public key in the job request.
   */
  private opener(r: number): (bytes: Uint8Array, participant: string) => Promise<Uint8Array> {
    return async (bytes, participant) => {
      if (!isSealed(bytes)) return bytes;
      if (this.sealed === undefined)
        throw new RoundMismatch(
          `the update of ${participant} is sealed: only holders of the round's key can recompute this round (fedstr verify --keys <file>, the aggregator writes it with fedstr-aggregator disclose)`,
        );
      const { seal, keys, file } = this.sealed;
      const key = keys.keys[String(r)];
      if (key === undefined)
        throw new RoundMismatch(`the update of ${participant} is sealed and ${file} has no key for round ${r}`);
      try {
        checkRoundKey(seal, r, keyFromHex(key));
        return await openUpdate(bytes, keyFromHex(key), { pool: this.pool.summary.address, round: r, participant });
      } catch (e) {
        if (!(e instanceof SealError)) throw e;
        throw new RoundMismatch(
          e.code === "BAD_KEY"
            ? `${file}: ${e.message} (not the disclosed key of this round)`
            : `the update of ${participant} does not open with round ${r}'s key: ${e.message}`,
        );
      }
    };
  }
}
