// The fedstr program's interface, described once: instructions (accounts with their PDA seeds,
// arguments), account layouts, events, errors and constants. `scripts/program-codegen.ts` turns it
// into the Rust (`src/generated/*.rs`), the Anchor IDL (`sdk/src/program/fedstr.json`) and the
// TypeScript type, constants and PDA helpers (`sdk/src/program/fedstr.ts`, `sdk/src/program/generated.ts`).
// Names are snake_case as in Rust and the IDL; the TypeScript side sees them camelCased by Anchor.
// Everything here is on the wire: changing an order or a type changes the program's interface.

export type Type =
  | "u8"
  | "u16"
  | "u32"
  | "u64"
  | "i64"
  | "bool"
  | "pubkey"
  | { array: ["u8", number] }
  /** Borsh Vec (u32 length + items); `max` names the constant bounding its length on chain. */
  | { vec: Type; max: string }
  | { defined: { name: string } };
export type Field = [name: string, type: Type, doc?: string];
/** A PDA seed: a constant seed (by constant name), another account of the instruction, or an argument. */
export type Seed = { const: string } | { account: string } | { arg: string };
export interface Account {
  name: string;
  writable?: boolean;
  signer?: boolean;
  /** A fixed program id. */
  address?: string;
  /** Seeds under the fedstr program; clients resolve the address from them. */
  pda?: Seed[];
  docs?: string;
}
export interface Instruction {
  name: string;
  docs: string[];
  accounts: Account[];
  args: Field[];
}
export interface Struct {
  name: string;
  docs?: string;
  fields: Field[];
}
export interface Constant {
  name: string;
  type: "bytes" | "u8" | "u32" | "u64" | "i64" | "usize";
  value: string | number;
  docs: string;
}
export interface Status {
  name: string;
  docs: string;
  values: [name: string, docs: string][];
}

export const PROGRAM_DESCRIPTION =
  "Escrowed reward pools, stakes, round commitments and Merkle reward claims for federated learning";

const cid: Type = { array: ["u8", 36] };
const b32: Type = { array: ["u8", 32] };
const bytes = (n: number): Type => ({ array: ["u8", n] });
const def = (name: string): Type => ({ defined: { name } });

export const TOKEN_PROGRAM = "TokenkegQfeZyiNwAJbNbGKPFXCWuBvf9Ss623VQ5DA";
export const SYSTEM_PROGRAM = "11111111111111111111111111111111";
const tokenProgram: Account = { name: "token_program", address: TOKEN_PROGRAM };
const systemProgram: Account = { name: "system_program", address: SYSTEM_PROGRAM };

// ---- PDAs: seed lists under the fedstr program. Account seeds name the accounts of the
// instructions that use them; the SDK's `find<Name>Address` helpers are generated from these.
export interface Pda {
  docs: string;
  seeds: Seed[];
}
export const pdas: Record<"pool" | "escrow" | "stake_vault" | "participant" | "commitment" | "round", Pda> = {
  pool: {
    docs: 'Pool PDA `["pool", creator, pool_id u64 LE]`.',
    seeds: [{ const: "POOL_SEED" }, { account: "creator" }, { arg: "pool_id" }],
  },
  escrow: {
    docs: 'Reward escrow token account PDA `["escrow", pool]`.',
    seeds: [{ const: "ESCROW_SEED" }, { account: "pool" }],
  },
  stake_vault: {
    docs: 'Stake vault token account PDA `["stake_vault", pool]`.',
    seeds: [{ const: "STAKE_VAULT_SEED" }, { account: "pool" }],
  },
  participant: {
    docs: 'Participant state PDA `["participant", pool, wallet]`.',
    seeds: [{ const: "PARTICIPANT_SEED" }, { account: "pool" }, { account: "participant" }],
  },
  commitment: {
    docs: 'Commitment PDA `["commitment", pool, wallet, round u32 LE]`.',
    seeds: [{ const: "COMMITMENT_SEED" }, { account: "pool" }, { account: "participant" }, { arg: "round" }],
  },
  round: {
    docs: 'Round result PDA `["round", pool, round u32 LE]`.',
    seeds: [{ const: "ROUND_SEED" }, { account: "pool" }, { arg: "round" }],
  },
};
const poolPda = pdas.pool.seeds;
const escrowPda = pdas.escrow.seeds;
const vaultPda = pdas.stake_vault.seeds;
const participantPda = pdas.participant.seeds;
const commitmentPda = pdas.commitment.seeds;
const roundPda = pdas.round.seeds;

export const constants: Constant[] = [
  { name: "POOL_SEED", type: "bytes", value: "pool", docs: 'Pool PDA `["pool", creator, pool_id u64 LE]`.' },
  {
    name: "ESCROW_SEED",
    type: "bytes",
    value: "escrow",
    docs: 'Reward escrow token account PDA `["escrow", pool]`, owned by the pool PDA.',
  },
  {
    name: "STAKE_VAULT_SEED",
    type: "bytes",
    value: "stake_vault",
    docs: 'Stake vault token account PDA `["stake_vault", pool]`, owned by the pool PDA.',
  },
  {
    name: "PARTICIPANT_SEED",
    type: "bytes",
    value: "participant",
    docs: 'Participant state PDA `["participant", pool, wallet]`.',
  },
  {
    name: "COMMITMENT_SEED",
    type: "bytes",
    value: "commitment",
    docs: 'Commitment PDA `["commitment", pool, wallet, round u32 LE]`.',
  },
  { name: "ROUND_SEED", type: "bytes", value: "round", docs: 'Round result PDA `["round", pool, round u32 LE]`.' },
  {
    name: "MAX_ROUNDS",
    type: "u32",
    value: 256,
    docs: "Upper bound on `num_rounds` (the claim bitmap has one bit per round).",
  },
  {
    name: "MAX_PROOF_LEN",
    type: "usize",
    value: 32,
    docs: "Upper bound on the Merkle proof length accepted by `claim_reward`.",
  },
  { name: "CID_LEN", type: "usize", value: 36, docs: "Length of a binary CIDv1 with a sha2-256 multihash." },
  { name: "BPS", type: "u64", value: 10_000, docs: "Basis-point denominator for `slash_limit_bps`." },
  {
    name: "MIN_ROUND_DURATION",
    type: "i64",
    value: 5,
    docs: "Shortest round (seconds): short enough for demo rounds.",
  },
  {
    name: "MAX_ROUND_DURATION",
    type: "i64",
    value: 30 * 86_400,
    docs: "Longest round (seconds): a typo cannot lock stakes for a lifetime.",
  },
  {
    name: "MAX_JOIN_WINDOW",
    type: "i64",
    value: 365 * 86_400,
    docs: "The join deadline lies in `(now, now + MAX_JOIN_WINDOW]`.",
  },
  {
    name: "MAX_GRACE_PERIOD",
    type: "i64",
    value: 30 * 86_400,
    docs: "Longest grace period after a round deadline (seconds).",
  },
  { name: "MIN_CLAIM_WINDOW", type: "i64", value: 60, docs: "Shortest claim window (seconds)." },
  { name: "MAX_CLAIM_WINDOW", type: "i64", value: 365 * 86_400, docs: "Longest claim window (seconds)." },
  {
    name: "MAX_SCHEDULE",
    type: "i64",
    value: 3 * 365 * 86_400,
    docs: "The end of the claim window after the last round (join deadline + all rounds + grace period + claim window) lies at most this far from now.",
  },
];

export const statuses: Status[] = [
  {
    name: "pool_status",
    docs: "`Pool.status`: the pool's lifecycle.",
    values: [
      ["ACTIVE", "Accepting joins (until the join deadline), commits and round results."],
      ["FINISHED", "The last round was posted; claims open for `claim_window` seconds."],
      ["CANCELLED", "Cancelled by the creator before any round was posted."],
      ["EXPIRED", "The aggregator missed a round deadline by more than `grace_period`."],
      ["FINALIZED", "Leftover rewards returned to the creator; no more claims."],
    ],
  },
  {
    name: "participant_status",
    docs: "`Participant.status`.",
    values: [
      ["ACTIVE", "Staked (the stake may have been slashed)."],
      ["WITHDRAWN", "The stake was paid out."],
    ],
  },
];

export const instructions: Instruction[] = [
  {
    name: "create_pool",
    docs: [
      'Creates a pool PDA ["pool", creator, pool_id LE], its reward escrow and stake vault token accounts',
      "(canonical bumps passed by the client and checked without a bump search;",
      'PDAs ["escrow", pool], ["stake_vault", pool], owned by the pool PDA) and deposits `reward_amount`.',
      "Rules: reward_amount > 0; 1 <= num_rounds <= 256; max_participants >= 1; slash_limit_bps <= 10000;",
      "5 s <= round_duration <= 30 days; now < join_deadline <= now + 365 days; 0 <= grace_period <= 30 days;",
      "60 s <= claim_window <= 365 days; the schedule ends within 3 years; CIDs are binary CIDv1 sha2-256",
      "(raw or dag-pb); creator_token holds the pool mint (a freeze authority is allowed: a trust assumption).",
    ],
    accounts: [
      { name: "creator", writable: true, signer: true },
      { name: "pool", writable: true, pda: poolPda },
      { name: "mint" },
      { name: "escrow", writable: true, pda: escrowPda },
      { name: "stake_vault", writable: true, pda: vaultPda },
      { name: "creator_token", writable: true },
      tokenProgram,
      systemProgram,
    ],
    args: [
      ["pool_id", "u64"],
      ["params", def("CreatePoolParams")],
      ["pool_bump", "u8"],
      ["escrow_bump", "u8"],
      ["vault_bump", "u8"],
    ],
  },
  {
    name: "fund_pool",
    docs: ["The creator tops up the reward escrow while the pool is active."],
    accounts: [
      { name: "creator", signer: true },
      { name: "pool", writable: true },
      { name: "escrow", writable: true, pda: escrowPda },
      { name: "creator_token", writable: true },
      tokenProgram,
    ],
    args: [["amount", "u64"]],
  },
  {
    name: "join_pool",
    docs: [
      "A participant stakes `stake` tokens (>= min_stake) before the join deadline; creates its",
      'participant PDA ["participant", pool, participant] holding its Nostr x-only public key.',
      "Rejected when the pool is full or not active.",
    ],
    accounts: [
      { name: "participant", writable: true, signer: true },
      { name: "pool", writable: true },
      { name: "participant_state", writable: true, pda: participantPda },
      { name: "participant_token", writable: true },
      { name: "stake_vault", writable: true, pda: vaultPda },
      tokenProgram,
      systemProgram,
    ],
    args: [
      ["stake", "u64"],
      ["nostr_pubkey", b32],
    ],
  },
  {
    name: "commit_update",
    docs: [
      "Commits sha256 + CID of the participant's update for the current round (rounds_posted + 1),",
      "inside [round_start, round_deadline). One commitment per round: creates the PDA",
      '["commitment", pool, participant, round LE] with the given canonical bump; rounds must strictly',
      "increase. `samples` (>= 1) is the training sample count the aggregator weights the update by.",
    ],
    accounts: [
      { name: "participant", writable: true, signer: true },
      { name: "pool" },
      { name: "participant_state", writable: true, pda: participantPda },
      { name: "commitment", writable: true, pda: commitmentPda },
      systemProgram,
    ],
    args: [
      ["round", "u32"],
      ["update_hash", b32],
      ["update_cid", cid],
      ["samples", "u64"],
      ["bump", "u8"],
    ],
  },
  {
    name: "post_round",
    docs: [
      "The pool's aggregator posts the result of round `round` (= rounds_posted + 1) at or after the round's",
      "start and no later than its deadline + grace period. The reward must not exceed the unallocated",
      "rewards in escrow. Records the round report's CID and sha256 (claims and verification go chain -> IPFS).",
      "Posting the last round finishes the pool and opens the claim window.",
    ],
    accounts: [
      { name: "aggregator", writable: true, signer: true },
      { name: "pool", writable: true },
      { name: "round_result", writable: true, pda: roundPda },
      systemProgram,
    ],
    args: [
      ["round", "u32"],
      ["params", def("PostRoundParams")],
      ["bump", "u8"],
    ],
  },
  {
    name: "claim_reward",
    docs: [
      "A participant claims its reward for a posted round with a Merkle proof of the leaf",
      "sha256(0x00 || pool || round LE || participant || update_hash || weight LE || amount LE).",
      "Once per round (bitmap in the participant account); not after finalization or the claim window.",
    ],
    accounts: [
      { name: "participant", signer: true },
      { name: "pool", writable: true },
      { name: "participant_state", writable: true, pda: participantPda },
      { name: "round_result", writable: true, pda: roundPda },
      { name: "escrow", writable: true, pda: escrowPda },
      { name: "destination", writable: true },
      tokenProgram,
    ],
    args: [
      ["round", "u32"],
      ["weight", "u64"],
      ["amount", "u64"],
      ["update_hash", b32],
      ["proof", { vec: b32, max: "MAX_PROOF_LEN" }],
    ],
  },
  {
    name: "slash",
    docs: [
      "The aggregator slashes a participant for a provable fault in its commitment of `round`, while the pool",
      "is active and before `round` is posted. Cumulative slashes are capped at initial_stake * slash_limit_bps / 10000. Slashed tokens",
      "move from the stake vault to the reward escrow (they count as funded rewards).",
    ],
    accounts: [
      { name: "aggregator", signer: true },
      { name: "pool", writable: true },
      { name: "participant_state", writable: true },
      { name: "commitment" },
      { name: "stake_vault", writable: true, pda: vaultPda },
      { name: "escrow", writable: true, pda: escrowPda },
      tokenProgram,
    ],
    args: [
      ["round", "u32"],
      ["amount", "u64"],
      ["reason", "u8"],
      ["evidence_cid", cid],
    ],
  },
  {
    name: "withdraw_stake",
    docs: ["Returns the participant's remaining stake once the pool is finished, cancelled, expired or finalized."],
    accounts: [
      { name: "participant", signer: true },
      { name: "pool", writable: true },
      { name: "participant_state", writable: true, pda: participantPda },
      { name: "stake_vault", writable: true, pda: vaultPda },
      { name: "destination", writable: true },
      tokenProgram,
    ],
    args: [],
  },
  {
    name: "cancel_pool",
    docs: ["The creator cancels an active pool before the first round is posted; all rewards are refunded."],
    accounts: [
      { name: "creator", signer: true },
      { name: "pool", writable: true },
      { name: "escrow", writable: true, pda: escrowPda },
      { name: "creator_token", writable: true },
      tokenProgram,
    ],
    args: [],
  },
  {
    name: "expire_pool",
    docs: [
      "Anyone may expire an active pool whose aggregator has not posted the next round by its deadline +",
      "grace period. Unallocated rewards return to the creator; stakes become withdrawable; rewards of",
      "posted rounds stay claimable for the claim window.",
    ],
    accounts: [
      { name: "caller", signer: true },
      { name: "pool", writable: true },
      { name: "escrow", writable: true, pda: escrowPda },
      { name: "creator_token", writable: true },
      tokenProgram,
    ],
    args: [],
  },
  {
    name: "finalize_pool",
    docs: [
      "Anyone may finalize a finished or expired pool after its claim window (a cancelled pool at once).",
      "Everything left in escrow returns to the creator; no more claims.",
    ],
    accounts: [
      { name: "caller", signer: true },
      { name: "pool", writable: true },
      { name: "escrow", writable: true, pda: escrowPda },
      { name: "creator_token", writable: true },
      tokenProgram,
    ],
    args: [],
  },
  {
    name: "close_pool",
    docs: [
      "The creator closes a finalized pool once all its participant and round accounts are closed: untracked tokens",
      "in escrow and stake vault are swept to creator_token, then escrow, stake vault and pool are closed; rent to the creator.",
    ],
    accounts: [
      { name: "creator", writable: true, signer: true },
      { name: "pool", writable: true },
      { name: "escrow", writable: true, pda: escrowPda },
      { name: "stake_vault", writable: true, pda: vaultPda },
      { name: "creator_token", writable: true },
      tokenProgram,
    ],
    args: [],
  },
  {
    name: "close_participant",
    docs: [
      "Anyone closes a participant account of a finalized pool once its commitments are closed; a stake never",
      "withdrawn is paid to the participant's own token account (destination); rent to the participant.",
    ],
    accounts: [
      { name: "caller", signer: true },
      { name: "participant", writable: true },
      { name: "pool", writable: true },
      { name: "participant_state", writable: true, pda: participantPda },
      { name: "stake_vault", writable: true, pda: vaultPda },
      { name: "destination", writable: true },
      tokenProgram,
    ],
    args: [],
  },
  {
    name: "close_commitment",
    docs: [
      "Anyone closes a commitment once its round is posted (or the pool is finalized); rent to the participant",
      "that made it.",
    ],
    accounts: [
      { name: "caller", signer: true },
      { name: "participant", writable: true },
      { name: "pool" },
      { name: "participant_state", writable: true, pda: participantPda },
      { name: "commitment", writable: true },
    ],
    args: [],
  },
  {
    name: "close_round",
    docs: ["Anyone may close a round result once the pool is finalized; rent goes to the aggregator that paid it."],
    accounts: [
      { name: "caller", signer: true },
      { name: "aggregator", writable: true },
      { name: "pool", writable: true },
      { name: "round_result", writable: true },
    ],
    args: [],
  },
];

/** Account layouts: `[8-byte discriminator][fields]`, with explicit padding so `repr(C)` equals Borsh. */
export const accounts: Struct[] = [
  {
    name: "Pool",
    docs: 'A training pool. PDA `["pool", creator, pool_id u64 LE]`. Status: 0 active, 1 finished, 2 cancelled, 3 expired, 4 finalized.',
    fields: [
      ["creator", "pubkey"],
      ["aggregator", "pubkey"],
      ["mint", "pubkey"],
      ["escrow", "pubkey", 'SPL token account holding the rewards; PDA `["escrow", pool]`, owned by the pool PDA.'],
      [
        "stake_vault",
        "pubkey",
        'SPL token account holding the stakes; PDA `["stake_vault", pool]`, owned by the pool PDA.',
      ],
      ["pool_id", "u64"],
      ["min_stake", "u64"],
      ["round_duration", "i64"],
      ["join_deadline", "i64"],
      ["grace_period", "i64"],
      ["claim_window", "i64"],
      ["created_at", "i64"],
      ["ended_at", "i64", "When the pool became finished, cancelled or expired (0 while active)."],
      ["total_funded", "u64", "Rewards deposited by the creator plus stakes slashed into the escrow."],
      ["total_claimed", "u64"],
      ["total_refunded", "u64"],
      ["total_allocated", "u64", "Sum of the rewards of all posted rounds."],
      ["total_staked", "u64", "Sum of the active stakes (= stake vault balance)."],
      ["total_slashed", "u64"],
      ["max_participants", "u32"],
      ["participant_count", "u32"],
      ["num_rounds", "u32"],
      ["rounds_posted", "u32"],
      ["slash_limit_bps", "u16"],
      ["status", "u8"],
      ["bump", "u8"],
      ["escrow_bump", "u8"],
      ["vault_bump", "u8"],
      ["padding", bytes(2)],
      ["nostr_job_id", b32],
      ["training_plan_cid", cid, "Binary CIDv1 of the training plan."],
      ["initial_model_cid", cid],
      ["open_participants", "u32", "Live participant accounts of this pool (joined, not yet closed)."],
      [
        "open_rounds",
        "u32",
        "Live round-result accounts of this pool; `close_pool` is refused while either count is non-zero, so no account of this pool can outlive it and be picked up by a later pool at the same address.",
      ],
      ["reserved", bytes(56)],
    ],
  },
  {
    name: "Participant",
    docs: 'A participant\'s stake in a pool. PDA `["participant", pool, authority]`. Status: 0 active, 1 withdrawn.',
    fields: [
      ["pool", "pubkey"],
      ["authority", "pubkey"],
      ["stake", "u64", "Active stake (initial stake minus slashes, 0 once withdrawn)."],
      ["initial_stake", "u64"],
      ["slashed", "u64"],
      ["joined_at", "i64"],
      ["last_committed_round", "u32"],
      ["commit_count", "u32"],
      ["status", "u8"],
      ["bump", "u8"],
      ["padding", bytes(2)],
      [
        "open_commitments",
        "u32",
        "Live commitment accounts of this participant; the participant account cannot be closed while any remain.",
      ],
      ["claimed_rounds", b32, "Bit `r-1` set once the reward of round `r` was claimed."],
      ["nostr_pubkey", b32, "The participant's Nostr x-only public key (its result events are signed with it)."],
    ],
  },
  {
    name: "Commitment",
    docs: 'A participant\'s commitment to its update for one round. PDA `["commitment", pool, authority, round u32 LE]`.',
    fields: [
      ["pool", "pubkey"],
      ["authority", "pubkey"],
      ["committed_at", "i64"],
      ["samples", "u64", "The participant's training sample count (the FedAvg weight)."],
      ["round", "u32"],
      ["bump", "u8"],
      ["padding", bytes(3)],
      ["update_hash", b32, "sha256 of the update bytes."],
      ["update_cid", cid, "Binary CIDv1 (sha2-256) of the published update."],
      ["reserved", bytes(4)],
    ],
  },
  {
    name: "RoundResult",
    docs: 'The aggregator\'s result for one round. PDA `["round", pool, round u32 LE]`.',
    fields: [
      ["pool", "pubkey"],
      ["aggregator", "pubkey", "Who paid the rent (the aggregator); receives it back on close."],
      ["merkle_root", b32],
      ["global_model_hash", b32],
      ["reward", "u64"],
      ["claimed", "u64"],
      ["metric", "i64", "Evaluation metric, fixed point ×1e6 (e.g. accuracy 0.9123 → 912300)."],
      ["posted_at", "i64"],
      ["round", "u32"],
      ["accepted_count", "u32"],
      ["bump", "u8"],
      ["padding", bytes(3)],
      ["global_model_cid", cid],
      ["report_cid", cid, "Binary CIDv1 of the round report (verdicts, rewards, Merkle proofs)."],
      ["report_sha256", b32, "sha256 of the report bytes."],
      ["reserved", bytes(4)],
    ],
  },
];

/** Argument structs (Borsh, nested in instruction arguments). */
export const argTypes: Struct[] = [
  {
    name: "CreatePoolParams",
    fields: [
      ["aggregator", "pubkey"],
      ["reward_amount", "u64"],
      ["min_stake", "u64"],
      ["max_participants", "u32"],
      ["num_rounds", "u32"],
      ["round_duration", "i64"],
      ["join_deadline", "i64"],
      ["grace_period", "i64"],
      ["claim_window", "i64"],
      ["slash_limit_bps", "u16"],
      ["nostr_job_id", b32],
      ["training_plan_cid", cid],
      ["initial_model_cid", cid],
    ],
  },
  {
    name: "PostRoundParams",
    fields: [
      ["global_model_cid", cid],
      ["global_model_hash", b32],
      ["merkle_root", b32],
      ["metric", "i64"],
      ["reward", "u64"],
      ["accepted_count", "u32"],
      ["report_cid", cid],
      ["report_sha256", b32],
    ],
  },
];

/** Events, one per state change (`Program data:` lines, Anchor's `emit!` format). */
export const events: Struct[] = [
  {
    name: "PoolCreated",
    fields: [
      ["pool", "pubkey"],
      ["creator", "pubkey"],
      ["aggregator", "pubkey"],
      ["mint", "pubkey"],
      ["pool_id", "u64"],
      ["reward_amount", "u64"],
      ["min_stake", "u64"],
      ["max_participants", "u32"],
      ["num_rounds", "u32"],
      ["round_duration", "i64"],
      ["join_deadline", "i64"],
      ["nostr_job_id", b32],
      ["training_plan_cid", cid],
      ["initial_model_cid", cid],
    ],
  },
  {
    name: "PoolFunded",
    fields: [
      ["pool", "pubkey"],
      ["amount", "u64"],
      ["total_funded", "u64"],
    ],
  },
  {
    name: "ParticipantJoined",
    fields: [
      ["pool", "pubkey"],
      ["participant", "pubkey"],
      ["stake", "u64"],
      ["participant_count", "u32"],
      ["nostr_pubkey", b32],
    ],
  },
  {
    name: "UpdateCommitted",
    fields: [
      ["pool", "pubkey"],
      ["participant", "pubkey"],
      ["round", "u32"],
      ["update_hash", b32],
      ["update_cid", cid],
      ["samples", "u64"],
    ],
  },
  {
    name: "RoundPosted",
    fields: [
      ["pool", "pubkey"],
      ["round", "u32"],
      ["merkle_root", b32],
      ["global_model_hash", b32],
      ["global_model_cid", cid],
      ["metric", "i64"],
      ["reward", "u64"],
      ["accepted_count", "u32"],
      ["finished", "bool"],
      ["report_cid", cid],
      ["report_sha256", b32],
    ],
  },
  {
    name: "RewardClaimed",
    fields: [
      ["pool", "pubkey"],
      ["participant", "pubkey"],
      ["round", "u32"],
      ["weight", "u64"],
      ["amount", "u64"],
    ],
  },
  {
    name: "ParticipantSlashed",
    fields: [
      ["pool", "pubkey"],
      ["participant", "pubkey"],
      ["round", "u32"],
      ["amount", "u64"],
      ["reason", "u8"],
      ["evidence_cid", cid],
      ["remaining_stake", "u64"],
    ],
  },
  {
    name: "StakeWithdrawn",
    fields: [
      ["pool", "pubkey"],
      ["participant", "pubkey"],
      ["amount", "u64"],
    ],
  },
  {
    name: "PoolCancelled",
    fields: [
      ["pool", "pubkey"],
      ["refunded", "u64"],
    ],
  },
  {
    name: "PoolExpired",
    fields: [
      ["pool", "pubkey"],
      ["rounds_posted", "u32"],
      ["refunded", "u64"],
    ],
  },
  {
    name: "PoolFinalized",
    fields: [
      ["pool", "pubkey"],
      ["refunded", "u64"],
    ],
  },
  {
    name: "AccountClosed",
    fields: [
      ["pool", "pubkey"],
      ["account", "pubkey"],
      ["rent_receiver", "pubkey"],
    ],
  },
];

/** Errors, numbered from 6000 in this order (append only: the codes are on the wire). */
export const errors: [name: string, message: string][] = [
  ["Unauthorized", "The signer is not allowed to perform this action"],
  ["MissingSignature", "A required signature is missing"],
  ["InvalidAccountOwner", "Account is not owned by the expected program"],
  ["InvalidDiscriminator", "Account discriminator or size mismatch"],
  ["AlreadyInitialized", "Account is already initialized"],
  ["InvalidPda", "Account address does not match the expected PDA"],
  ["WrongMint", "Token account or mint does not match the pool mint"],
  ["WrongVault", "Token account is not the pool's escrow or stake vault"],
  ["WrongPool", "Account belongs to another pool or participant"],
  ["DuplicateAccount", "The same account was passed for two different roles"],
  ["ArithmeticOverflow", "Arithmetic overflow"],
  ["InvalidCid", "CID must be a 36-byte binary CIDv1 (raw or dag-pb) with a sha2-256 digest"],
  ["InvalidParameter", "Invalid pool parameter"],
  ["InvalidInstructionData", "Instruction data could not be decoded"],
  ["InvalidTokenAccount", "Account is not an initialized SPL token account"],
  ["InvalidProgram", "Wrong token or system program"],
  ["PoolNotActive", "Pool is not active"],
  ["JoinDeadlinePassed", "The join deadline has passed"],
  ["PoolFull", "The pool has reached its maximum number of participants"],
  ["StakeTooLow", "Stake is below the pool's minimum stake"],
  ["InvalidAmount", "Amount must be greater than zero"],
  ["ParticipantWithdrawn", "Participant has withdrawn its stake"],
  ["RoundNotOpen", "The round is not open for commitments"],
  ["AlreadyCommitted", "Already committed for this or a later round"],
  ["RoundOutOfOrder", "Round number is not the next round to post"],
  ["RoundTooEarly", "The round has not started yet"],
  ["RoundPostingExpired", "The round deadline plus grace period has passed"],
  ["RewardExceedsEscrow", "Round reward exceeds the unallocated rewards in escrow"],
  ["InvalidRound", "Round number is out of range"],
  ["InvalidProof", "Merkle proof does not verify against the round root"],
  ["AlreadyClaimed", "Reward for this round was already claimed"],
  ["RoundRewardExceeded", "Claims would exceed the round's reward"],
  ["ClaimWindowClosed", "The claim window has closed"],
  ["SlashLimitExceeded", "Slash would exceed the pool's slash limit"],
  ["InvalidSlashReason", "Slash reason code must be non-zero"],
  ["StakeLocked", "Stakes are locked while the pool is active"],
  ["NothingToWithdraw", "No stake to withdraw"],
  ["CancelNotAllowed", "Pool can only be cancelled before the first round is posted"],
  ["NotExpired", "The aggregator is not late enough for the pool to expire"],
  ["ClaimWindowOpen", "The claim window is still open"],
  ["PoolNotFinalized", "The pool must be finalized first"],
  ["VaultNotEmpty", "Escrow or stake vault still holds tokens"],
  ["StakeNotWithdrawn", "Withdraw the stake before closing the participant account"],
  ["InvalidRoundDuration", "Round duration must be between 5 seconds and 30 days"],
  ["InvalidJoinDeadline", "Join deadline must be in the future and at most 365 days away"],
  ["InvalidGracePeriod", "Grace period must be between 0 and 30 days"],
  ["InvalidClaimWindow", "Claim window must be between 60 seconds and 365 days"],
  ["ScheduleTooLong", "The pool's schedule must end within 3 years"],
  ["InvalidSamples", "Sample count must be greater than zero"],
  ["PoolHasOpenAccounts", "Close the pool's participant and round accounts first"],
  ["CommitmentsOpen", "Close the participant's commitment accounts first"],
  ["RoundNotPosted", "The commitment's round is not posted yet and the pool is not finalized"],
  ["RoundAlreadyPosted", "The round is already posted: its commitments can no longer be slashed"],
];
