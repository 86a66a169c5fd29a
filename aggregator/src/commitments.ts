/**
 * A round's on-chain commitments, read incrementally: each poll asks the RPC node only for the
 * addresses of the round's Commitment accounts (getProgramAccounts with memcmp on pool and round and
 * an empty data slice) and fetches and decodes only the accounts it has not seen. A commitment never
 * changes once made (rounds strictly increase per participant, and the account can only be closed
 * once its round is posted — never while the round is collected), so at N = 1,000 a poll moves
 * ~40 bytes per commitment instead of ~230.
 */
import { cidFromBytes, decodeAccount, type FedstrProgram, listCommitmentAddressesOfRound } from "@fedstr/sdk/program";
import type { PublicKey } from "@solana/web3.js";
import type { CommitmentInfo } from "./collect.js";

/** Accounts per getMultipleAccounts call (the RPC limit). */
const MULTIPLE_ACCOUNTS_LIMIT = 100;

export class RoundCommitments {
  private readonly known = new Map<string, CommitmentInfo>();
  /** Accounts the last refresh listed but could not fetch yet: until 0, the list is not final. */
  unfetched = 0;

  constructor(
    private readonly program: FedstrProgram,
    private readonly pool: PublicKey,
    private readonly round: number,
  ) {}

  /** Every commitment seen so far, in the order first seen. */
  all(): CommitmentInfo[] {
    return [...this.known.values()];
  }

  /** Read the commitments made since the last call; returns all of them. */
  async refresh(): Promise<CommitmentInfo[]> {
    const { connection } = this.program.provider;
    const listed = await listCommitmentAddressesOfRound(this.program, this.pool, this.round);
    const fresh = listed.filter((k) => !this.known.has(k.toBase58()));
    this.unfetched = 0;
    for (let k = 0; k < fresh.length; k += MULTIPLE_ACCOUNTS_LIMIT) {
      const keys = fresh.slice(k, k + MULTIPLE_ACCOUNTS_LIMIT);
      const infos = await connection.getMultipleAccountsInfo(keys, connection.commitment);
      infos.forEach((info, j) => {
        // Not visible yet on this node (listed at another slot): the next refresh takes it.
        if (info === null) {
          this.unfetched++;
          return;
        }
        const c = decodeAccount(this.program, "commitment", info.data);
        this.known.set(keys[j]!.toBase58(), {
          participant: c.authority.toBase58(),
          cid: cidFromBytes(c.updateCid).toString(),
          sha256: Buffer.from(c.updateHash).toString("hex"),
          samples: Number(c.samples.toString()),
        });
      });
    }
    return this.all();
  }
}
