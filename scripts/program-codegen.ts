// Single source of truth for the fedstr program's interface.
//
// Writes, from the spec below:
//   - target/idl/fedstr.json            Anchor IDL (spec 0.1.0), what `anchor build` would emit
//   - target/types/fedstr.ts            Anchor-style TS type of the IDL (camelCase)
//   - sdk/src/program/idl.ts            the same IDL as a typed constant for @fedstr/sdk
//   - programs/fedstr/src/discriminators.rs   Anchor discriminators used by the program
//   - programs/fedstr/src/errors.rs     the error enum (codes 6000+, names, messages)
//
// Run: npx tsx scripts/program-codegen.ts  (output is committed; `--check` fails if stale)
import { createHash } from "node:crypto";
import { readFileSync, writeFileSync, mkdirSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { convertIdlToCamelCase } from "@coral-xyz/anchor/dist/cjs/idl.js";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");
const PROGRAM_ID = readFileSync(join(root, "programs/fedstr/program-id.txt"), "utf8").trim();
const TOKEN_PROGRAM = "TokenkegQfeZyiNwAJbNbGKPFXCWuBvf9Ss623VQ5DA";
const SYSTEM_PROGRAM = "11111111111111111111111111111111";

type T = string | { array: [T, number] } | { vec: T } | { defined: { name: string } };
type Field = [name: string, type: T, doc?: string];
const cid: T = { array: ["u8", 36] };
const b32: T = { array: ["u8", 32] };
const arr = (n: number): T => ({ array: ["u8", n] });
const def = (name: string): T => ({ defined: { name } });

const sha = (s: string) => [...createHash("sha256").update(s).digest().subarray(0, 8)];
const snakeUpper = (s: string) => s.replace(/([a-z0-9])([A-Z])/g, "$1_$2").toUpperCase();

interface Acc { name: string; w?: boolean; s?: boolean; address?: string; docs?: string }
interface Ix { name: string; docs: string[]; accounts: Acc[]; args: Field[] }

const tokenProgram: Acc = { name: "token_program", address: TOKEN_PROGRAM };
const systemProgram: Acc = { name: "system_program", address: SYSTEM_PROGRAM };

const instructions: Ix[] = [
  {
    name: "create_pool",
    docs: [
      "Creates a pool PDA [\"pool\", creator, pool_id LE], its reward escrow and stake vault token accounts",
      "(canonical bumps passed by the client and checked without a bump search;",
      "PDAs [\"escrow\", pool], [\"stake_vault\", pool], owned by the pool PDA) and deposits `reward_amount`.",
      "Rules: reward_amount > 0; 1 <= num_rounds <= 256; max_participants >= 1; slash_limit_bps <= 10000;",
      "5 s <= round_duration <= 30 days; now < join_deadline <= now + 365 days; 0 <= grace_period <= 30 days;",
      "60 s <= claim_window <= 365 days; the schedule ends within 3 years; CIDs are binary CIDv1 sha2-256",
      "(raw or dag-pb); creator_token holds the pool mint (a freeze authority is allowed: a trust assumption).",
    ],
    accounts: [
      { name: "creator", w: true, s: true }, { name: "pool", w: true }, { name: "mint" },
      { name: "escrow", w: true }, { name: "stake_vault", w: true }, { name: "creator_token", w: true },
      tokenProgram, systemProgram,
    ],
    args: [["pool_id", "u64"], ["params", def("CreatePoolParams")], ["pool_bump", "u8"], ["escrow_bump", "u8"], ["vault_bump", "u8"]],
  },
  {
    name: "fund_pool",
    docs: ["The creator tops up the reward escrow while the pool is active."],
    accounts: [{ name: "creator", s: true }, { name: "pool", w: true }, { name: "escrow", w: true }, { name: "creator_token", w: true }, tokenProgram],
    args: [["amount", "u64"]],
  },
  {
    name: "join_pool",
    docs: [
      "A participant stakes `stake` tokens (>= min_stake) before the join deadline; creates its",
      "participant PDA [\"participant\", pool, participant] holding its Nostr x-only public key.",
      "Rejected when the pool is full or not active.",
    ],
    accounts: [
      { name: "participant", w: true, s: true }, { name: "pool", w: true }, { name: "participant_state", w: true },
      { name: "participant_token", w: true }, { name: "stake_vault", w: true }, tokenProgram, systemProgram,
    ],
    args: [["stake", "u64"], ["nostr_pubkey", b32]],
  },
  {
    name: "commit_update",
    docs: [
      "Commits sha256 + CID of the participant's update for the current round (rounds_posted + 1),",
      "inside [round_start, round_deadline). One commitment per round: creates the PDA",
      "[\"commitment\", pool, participant, round LE] with the given canonical bump; rounds must strictly",
      "increase. `samples` (>= 1) is the training sample count the aggregator weights the update by.",
    ],
    accounts: [
      { name: "participant", w: true, s: true }, { name: "pool" }, { name: "participant_state", w: true },
      { name: "commitment", w: true }, systemProgram,
    ],
    args: [["round", "u32"], ["update_hash", b32], ["update_cid", cid], ["samples", "u64"], ["bump", "u8"]],
  },
  {
    name: "post_round",
    docs: [
      "The pool's aggregator posts the result of round `round` (= rounds_posted + 1) at or after the round's",
      "start and no later than its deadline + grace period. The reward must not exceed the unallocated",
      "rewards in escrow. Records the round report's CID and sha256 (claims and verification go chain -> IPFS).",
      "Posting the last round finishes the pool and opens the claim window.",
    ],
    accounts: [{ name: "aggregator", w: true, s: true }, { name: "pool", w: true }, { name: "round_result", w: true }, systemProgram],
    args: [["round", "u32"], ["params", def("PostRoundParams")], ["bump", "u8"]],
  },
  {
    name: "claim_reward",
    docs: [
      "A participant claims its reward for a posted round with a Merkle proof of the leaf",
      "sha256(0x00 || pool || round LE || participant || update_hash || weight LE || amount LE).",
      "Once per round (bitmap in the participant account); not after finalization or the claim window.",
    ],
    accounts: [
      { name: "participant", s: true }, { name: "pool", w: true }, { name: "participant_state", w: true },
      { name: "round_result", w: true }, { name: "escrow", w: true }, { name: "destination", w: true }, tokenProgram,
    ],
    args: [["round", "u32"], ["weight", "u64"], ["amount", "u64"], ["update_hash", b32], ["proof", { vec: b32 }]],
  },
  {
    name: "slash",
    docs: [
      "The aggregator slashes a participant for a provable fault in its commitment of `round`, while the pool",
      "is active. Cumulative slashes are capped at initial_stake * slash_limit_bps / 10000. Slashed tokens",
      "move from the stake vault to the reward escrow (they count as funded rewards).",
    ],
    accounts: [
      { name: "aggregator", s: true }, { name: "pool", w: true }, { name: "participant_state", w: true },
      { name: "commitment" }, { name: "stake_vault", w: true }, { name: "escrow", w: true }, tokenProgram,
    ],
    args: [["round", "u32"], ["amount", "u64"], ["reason", "u8"], ["evidence_cid", cid]],
  },
  {
    name: "withdraw_stake",
    docs: ["Returns the participant's remaining stake once the pool is finished, cancelled, expired or finalized."],
    accounts: [
      { name: "participant", s: true }, { name: "pool", w: true }, { name: "participant_state", w: true },
      { name: "stake_vault", w: true }, { name: "destination", w: true }, tokenProgram,
    ],
    args: [],
  },
  {
    name: "cancel_pool",
    docs: ["The creator cancels an active pool before the first round is posted; all rewards are refunded."],
    accounts: [{ name: "creator", s: true }, { name: "pool", w: true }, { name: "escrow", w: true }, { name: "creator_token", w: true }, tokenProgram],
    args: [],
  },
  {
    name: "expire_pool",
    docs: [
      "Anyone may expire an active pool whose aggregator has not posted the next round by its deadline +",
      "grace period. Unallocated rewards return to the creator; stakes become withdrawable; rewards of",
      "posted rounds stay claimable for the claim window.",
    ],
    accounts: [{ name: "caller", s: true }, { name: "pool", w: true }, { name: "escrow", w: true }, { name: "creator_token", w: true }, tokenProgram],
    args: [],
  },
  {
    name: "finalize_pool",
    docs: [
      "Anyone may finalize a finished or expired pool after its claim window (a cancelled pool at once).",
      "Everything left in escrow returns to the creator; no more claims.",
    ],
    accounts: [{ name: "caller", s: true }, { name: "pool", w: true }, { name: "escrow", w: true }, { name: "creator_token", w: true }, tokenProgram],
    args: [],
  },
  {
    name: "close_pool",
    docs: [
      "The creator closes a finalized pool once all its participant and round accounts are closed: untracked tokens",
      "in escrow and stake vault are swept to creator_token, then escrow, stake vault and pool are closed; rent to the creator.",
    ],
    accounts: [
      { name: "creator", w: true, s: true }, { name: "pool", w: true }, { name: "escrow", w: true }, { name: "stake_vault", w: true },
      { name: "creator_token", w: true }, tokenProgram,
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
      { name: "caller", s: true }, { name: "participant", w: true }, { name: "pool", w: true }, { name: "participant_state", w: true },
      { name: "stake_vault", w: true }, { name: "destination", w: true }, tokenProgram,
    ],
    args: [],
  },
  {
    name: "close_commitment",
    docs: ["Anyone closes a commitment of a finalized pool; rent to the participant that made it."],
    accounts: [
      { name: "caller", s: true }, { name: "participant", w: true }, { name: "pool" }, { name: "participant_state", w: true },
      { name: "commitment", w: true },
    ],
    args: [],
  },
  {
    name: "close_round",
    docs: ["Anyone may close a round result once the pool is finalized; rent goes to the aggregator that paid it."],
    accounts: [{ name: "caller", s: true }, { name: "aggregator", w: true }, { name: "pool", w: true }, { name: "round_result", w: true }],
    args: [],
  },
];

const accountTypes: [string, Field[], string][] = [
  ["Pool", [
    ["creator", "pubkey"], ["aggregator", "pubkey"], ["mint", "pubkey"], ["escrow", "pubkey"], ["stake_vault", "pubkey"],
    ["pool_id", "u64"], ["min_stake", "u64"], ["round_duration", "i64"], ["join_deadline", "i64"], ["grace_period", "i64"],
    ["claim_window", "i64"], ["created_at", "i64"], ["ended_at", "i64"], ["total_funded", "u64"], ["total_claimed", "u64"],
    ["total_refunded", "u64"], ["total_allocated", "u64"], ["total_staked", "u64"], ["total_slashed", "u64"],
    ["max_participants", "u32"], ["participant_count", "u32"], ["num_rounds", "u32"], ["rounds_posted", "u32"],
    ["slash_limit_bps", "u16"], ["status", "u8"], ["bump", "u8"], ["escrow_bump", "u8"], ["vault_bump", "u8"],
    ["padding", arr(2)], ["nostr_job_id", b32], ["training_plan_cid", cid], ["initial_model_cid", cid],
    ["open_participants", "u32"], ["open_rounds", "u32"], ["reserved", arr(56)],
  ], "A training pool. Status: 0 active, 1 finished, 2 cancelled, 3 expired, 4 finalized."],
  ["Participant", [
    ["pool", "pubkey"], ["authority", "pubkey"], ["stake", "u64"], ["initial_stake", "u64"], ["slashed", "u64"],
    ["joined_at", "i64"], ["last_committed_round", "u32"], ["commit_count", "u32"], ["status", "u8"], ["bump", "u8"],
    ["padding", arr(2)], ["open_commitments", "u32"], ["claimed_rounds", b32], ["nostr_pubkey", b32],
  ], "A participant's stake in a pool. Status: 0 active, 1 withdrawn."],
  ["Commitment", [
    ["pool", "pubkey"], ["authority", "pubkey"], ["committed_at", "i64"], ["samples", "u64"], ["round", "u32"], ["bump", "u8"],
    ["padding", arr(3)], ["update_hash", b32], ["update_cid", cid], ["reserved", arr(4)],
  ], "A participant's commitment to its update for one round."],
  ["RoundResult", [
    ["pool", "pubkey"], ["aggregator", "pubkey"], ["merkle_root", b32], ["global_model_hash", b32], ["reward", "u64"],
    ["claimed", "u64"], ["metric", "i64"], ["posted_at", "i64"], ["round", "u32"], ["accepted_count", "u32"],
    ["bump", "u8"], ["padding", arr(3)], ["global_model_cid", cid], ["report_cid", cid], ["report_sha256", b32],
    ["reserved", arr(4)],
  ], "The aggregator's result for one round."],
];

const paramTypes: [string, Field[]][] = [
  ["CreatePoolParams", [
    ["aggregator", "pubkey"], ["reward_amount", "u64"], ["min_stake", "u64"], ["max_participants", "u32"],
    ["num_rounds", "u32"], ["round_duration", "i64"], ["join_deadline", "i64"], ["grace_period", "i64"],
    ["claim_window", "i64"], ["slash_limit_bps", "u16"], ["nostr_job_id", b32], ["training_plan_cid", cid],
    ["initial_model_cid", cid],
  ]],
  ["PostRoundParams", [
    ["global_model_cid", cid], ["global_model_hash", b32], ["merkle_root", b32], ["metric", "i64"],
    ["reward", "u64"], ["accepted_count", "u32"], ["report_cid", cid], ["report_sha256", b32],
  ]],
];

export const events: [string, Field[]][] = [
  ["PoolCreated", [["pool", "pubkey"], ["creator", "pubkey"], ["aggregator", "pubkey"], ["mint", "pubkey"], ["pool_id", "u64"],
    ["reward_amount", "u64"], ["min_stake", "u64"], ["max_participants", "u32"], ["num_rounds", "u32"],
    ["round_duration", "i64"], ["join_deadline", "i64"], ["nostr_job_id", b32], ["training_plan_cid", cid], ["initial_model_cid", cid]]],
  ["PoolFunded", [["pool", "pubkey"], ["amount", "u64"], ["total_funded", "u64"]]],
  ["ParticipantJoined", [["pool", "pubkey"], ["participant", "pubkey"], ["stake", "u64"], ["participant_count", "u32"], ["nostr_pubkey", b32]]],
  ["UpdateCommitted", [["pool", "pubkey"], ["participant", "pubkey"], ["round", "u32"], ["update_hash", b32], ["update_cid", cid], ["samples", "u64"]]],
  ["RoundPosted", [["pool", "pubkey"], ["round", "u32"], ["merkle_root", b32], ["global_model_hash", b32], ["global_model_cid", cid],
    ["metric", "i64"], ["reward", "u64"], ["accepted_count", "u32"], ["finished", "bool"], ["report_cid", cid], ["report_sha256", b32]]],
  ["RewardClaimed", [["pool", "pubkey"], ["participant", "pubkey"], ["round", "u32"], ["weight", "u64"], ["amount", "u64"]]],
  ["ParticipantSlashed", [["pool", "pubkey"], ["participant", "pubkey"], ["round", "u32"], ["amount", "u64"], ["reason", "u8"],
    ["evidence_cid", cid], ["remaining_stake", "u64"]]],
  ["StakeWithdrawn", [["pool", "pubkey"], ["participant", "pubkey"], ["amount", "u64"]]],
  ["PoolCancelled", [["pool", "pubkey"], ["refunded", "u64"]]],
  ["PoolExpired", [["pool", "pubkey"], ["rounds_posted", "u32"], ["refunded", "u64"]]],
  ["PoolFinalized", [["pool", "pubkey"], ["refunded", "u64"]]],
  ["AccountClosed", [["pool", "pubkey"], ["account", "pubkey"], ["rent_receiver", "pubkey"]]],
];

const errors = readFileSync(join(root, "programs/fedstr/errors.txt"), "utf8").trim().split("\n").map((l, i) => {
  const [name, msg] = l.split("|") as [string, string];
  return { code: 6000 + i, name, msg };
});

const field = ([name, type, doc]: Field) => (doc ? { name, docs: [doc], type } : { name, type });
const idl = {
  address: PROGRAM_ID,
  metadata: {
    name: "fedstr",
    version: "0.1.0",
    spec: "0.1.0",
    description: "Escrowed reward pools, stakes, round commitments and Merkle reward claims for federated learning",
  },
  instructions: instructions.map((ix) => ({
    name: ix.name,
    docs: ix.docs,
    discriminator: sha(`global:${ix.name}`),
    accounts: ix.accounts.map((a) => ({
      name: a.name,
      ...(a.w ? { writable: true } : {}),
      ...(a.s ? { signer: true } : {}),
      ...(a.address ? { address: a.address } : {}),
    })),
    args: ix.args.map(field),
  })),
  accounts: accountTypes.map(([name]) => ({ name, discriminator: sha(`account:${name}`) })),
  events: events.map(([name]) => ({ name, discriminator: sha(`event:${name}`) })),
  errors,
  types: [
    ...accountTypes.map(([name, fields, doc]) => ({ name, docs: [doc], type: { kind: "struct", fields: fields.map(field) } })),
    ...paramTypes.map(([name, fields]) => ({ name, type: { kind: "struct", fields: fields.map(field) } })),
    ...events.map(([name, fields]) => ({ name, type: { kind: "struct", fields: fields.map(field) } })),
  ],
};

const rsBytes = (b: number[]) => `[${b.join(", ")}]`;
const discRs = [
  "//! Anchor-compatible discriminators. GENERATED by scripts/program-codegen.ts; do not edit.",
  "//! instruction = sha256(\"global:<name>\")[..8], account = sha256(\"account:<Name>\")[..8],",
  "//! event = sha256(\"event:<Name>\")[..8].",
  "",
  ...instructions.map((ix) => `pub const IX_${ix.name.toUpperCase()}: [u8; 8] = ${rsBytes(sha(`global:${ix.name}`))};`),
  ...accountTypes.map(([n]) => `pub const ACCOUNT_${snakeUpper(n)}: [u8; 8] = ${rsBytes(sha(`account:${n}`))};`),
  ...events.map(([n]) => `pub const EVENT_${snakeUpper(n)}: [u8; 8] = ${rsBytes(sha(`event:${n}`))};`),
  "",
].join("\n");

const errRs = [
  "//! Program errors, numbered like Anchor custom errors (6000 + index). GENERATED by",
  "//! scripts/program-codegen.ts from programs/fedstr/errors.txt; do not edit.",
  "//! On failure the program logs `AnchorError occurred. Error Code: <Name>. Error Number: <n>.",
  "//! Error Message: <msg>.` so that @coral-xyz/anchor reports the error by name.",
  "",
  "#[derive(Clone, Copy, Debug, PartialEq, Eq)]",
  "#[repr(u32)]",
  "pub enum FedstrError {",
  ...errors.map((e) => `    /// ${e.msg}\n    ${e.name} = ${e.code},`),
  "}",
  "",
  "impl FedstrError {",
  "    pub const fn name(self) -> &'static str {",
  "        match self {",
  ...errors.map((e) => `            FedstrError::${e.name} => "${e.name}",`),
  "        }",
  "    }",
  "    pub const fn message(self) -> &'static str {",
  "        match self {",
  ...errors.map((e) => `            FedstrError::${e.name} => "${e.msg}",`),
  "        }",
  "    }",
  "}",
  "",
].join("\n");

const camel = convertIdlToCamelCase(idl as never);
const typeTs = (exportName: string) =>
  `/**\n * Program IDL in camelCase format in order to be used in JS/TS.\n * GENERATED by scripts/program-codegen.ts; do not edit.\n */\nexport type Fedstr = ${JSON.stringify(camel, null, 2)};\n` +
  (exportName ? `\nexport const ${exportName}: Fedstr = ${JSON.stringify(camel, null, 2)};\n` : "");

const outputs: [string, string][] = [
  ["target/idl/fedstr.json", `${JSON.stringify(idl, null, 2)}\n`],
  ["target/types/fedstr.ts", typeTs("")],
  ["sdk/src/program/idl.ts", typeTs("IDL")],
  ["programs/fedstr/src/discriminators.rs", discRs],
  ["programs/fedstr/src/errors.rs", errRs],
];

const check = process.argv.includes("--check");
let stale = 0;
for (const [rel, content] of outputs) {
  const path = join(root, rel);
  let old = "";
  try { old = readFileSync(path, "utf8"); } catch { /* new file */ }
  if (old === content) continue;
  if (check) { console.error(`stale: ${rel}`); stale++; continue; }
  mkdirSync(dirname(path), { recursive: true });
  writeFileSync(path, content);
  console.log(`wrote ${rel}`);
}
if (stale) process.exit(1);
