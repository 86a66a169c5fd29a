//! `post_round(round: u32, params: PostRoundParams, bump: u8)`
//!
//! Accounts: `aggregator` (signer, writable, pays rent), `pool`,
//! `round_result` (PDA `["round", pool, round LE]`), `system_program`.
//!
//! Rules: only the pool's aggregator (`Unauthorized`); pool active
//! (`PoolNotActive`); `round == rounds_posted + 1` (`RoundOutOfOrder`);
//! `now >= round_start(round)` (`RoundTooEarly`) and
//! `now <= round_deadline(round) + grace_period` (`RoundPostingExpired`; after
//! that the pool can only be expired); the global model CID is a binary CIDv1
//! sha2-256 (`InvalidCid`); `reward <= total_funded - total_refunded -
//! total_allocated`, i.e. never more than what is left unallocated in escrow
//! (`RewardExceedsEscrow`); `round_result` is the canonical PDA for `bump`
//! (`InvalidPda`); lamports pre-sent to it do not block creation. The report
//! (verdicts, rewards, Merkle proofs; uploaded before posting) is anchored by
//! `report_cid` (binary CIDv1 sha2-256, `InvalidCid`) and `report_sha256`, so
//! claimers and verifiers go chain → IPFS. The pool counts the new account
//! (`open_rounds`). Posting round
//! `num_rounds` finishes the pool (status finished, `ended_at = now`): stakes
//! become withdrawable and the claim window opens. Emits `RoundPosted`.

use super::*;
use crate::errors::FedstrError as E;
use crate::events;
use crate::state::*;
use crate::{checks::*, ix, pda::*};

#[inline(never)]
pub fn process(input: crate::Ix) -> ProgramResult {
    let crate::Ix { program_id, accounts, data: args } = input;
    let ix::PostRoundAccounts { aggregator, pool: pool_acc, round_result: round_acc, .. } =
        ix::PostRoundAccounts::load(accounts)?;
    let ix::PostRoundArgs {
        round,
        params:
            ix::PostRoundParams {
                global_model_cid,
                global_model_hash,
                merkle_root,
                metric,
                reward,
                accepted_count,
                report_cid,
                report_sha256,
            },
        bump,
    } = ix::PostRoundArgs::decode(args)?;

    // SAFETY: the instruction's only Pool view; it loads every account type at most once.
    let pool = unsafe { load_pool(pool_acc, program_id) }?;
    require(aggregator.address() == &pool.aggregator, E::Unauthorized)?;
    require(pool.status == pool_status::ACTIVE, E::PoolNotActive)?;
    require(round == pool.rounds_posted + 1 && round <= pool.num_rounds, E::RoundOutOfOrder)?;
    let now = now()?;
    require(now >= pool.round_start(round)?, E::RoundTooEarly)?;
    let last = pool.round_deadline(round)?.checked_add(pool.grace_period).ok_or(E::ArithmeticOverflow)?;
    require(now <= last, E::RoundPostingExpired)?;
    validate_cid(&global_model_cid)?;
    validate_cid(&report_cid)?;
    require(reward <= pool.unallocated()?, E::RewardExceedsEscrow)?;

    let round_le = round.to_le_bytes();
    let seeds = round_seeds(pool_acc.address(), &round_le);
    // Bump from the client, checked to be canonical without a bump search.
    let key = canonical_pda(&seeds, bump, program_id)?;
    require(round_acc.address() == &key, E::InvalidPda)?;
    create_pda_account(aggregator, round_acc, &seeds, bump, RoundResult::LEN, program_id)?;
    // SAFETY: just created by `create_pda_account` with `RoundResult::LEN` bytes; no other view of it.
    let rr = unsafe { init_mut::<RoundResult>(round_acc) };
    rr.pool = *pool_acc.address();
    rr.aggregator = *aggregator.address();
    rr.merkle_root = merkle_root;
    rr.global_model_hash = global_model_hash;
    rr.reward = reward;
    rr.metric = metric;
    rr.posted_at = now;
    rr.round = round;
    rr.accepted_count = accepted_count;
    rr.bump = bump;
    rr.global_model_cid = global_model_cid;
    rr.report_cid = report_cid;
    rr.report_sha256 = report_sha256;

    pool.total_allocated = add(pool.total_allocated, reward)?;
    pool.rounds_posted = round;
    pool.open_rounds += 1;
    let finished = round == pool.num_rounds;
    if finished {
        pool.status = pool_status::FINISHED;
        pool.ended_at = now;
    }

    events::RoundPosted {
        pool: pool_acc.address(),
        round,
        merkle_root: &merkle_root,
        global_model_hash: &global_model_hash,
        global_model_cid: &global_model_cid,
        metric,
        reward,
        accepted_count,
        finished,
        report_cid: &report_cid,
        report_sha256: &report_sha256,
    }
    .emit();
    Ok(())
}
