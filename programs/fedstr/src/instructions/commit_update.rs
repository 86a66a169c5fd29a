//! `commit_update(round: u32, update_hash: [u8; 32], update_cid: [u8; 36], samples: u64, bump: u8)`
//!
//! Accounts: `participant` (signer, writable, pays rent), `pool`,
//! `participant_state`, `commitment` (PDA `["commitment", pool, participant,
//! round LE]` with the given bump), `system_program`.
//!
//! Rules: pool active (`PoolNotActive`); the participant state belongs to this
//! pool and signer (`WrongPool`) and has not withdrawn (`ParticipantWithdrawn`);
//! `round` is the round being played, `rounds_posted + 1`, and
//! `round_start(round) <= now < round_deadline(round)` (`RoundNotOpen`), where
//! `round_start(r) = join_deadline + (r-1)*round_duration` and
//! `round_deadline(r) = join_deadline + r*round_duration`; rounds strictly
//! increase per participant, so a second commit for the same round is
//! impossible (`AlreadyCommitted`); the CID is a binary CIDv1 sha2-256
//! (`InvalidCid`); `samples` (the training sample count FedAvg weights by,
//! stored so the update can be aggregated from the chain alone) is at least 1
//! (`InvalidSamples`); the commitment address must be the canonical PDA
//! (`InvalidPda`). Lamports pre-sent to the address do not block creation.
//! The participant counts the new account (`open_commitments`); it cannot be
//! closed while any remain. Emits `UpdateCommitted`.

use super::*;
use crate::errors::FedstrError as E;
use crate::events;
use crate::state::*;
use crate::{checks::*, ix, pda::*};

#[inline(never)]
pub fn process(input: crate::Ix) -> ProgramResult {
    let crate::Ix { program_id, accounts, data: args } = input;
    let ix::CommitUpdateAccounts {
        participant,
        pool: pool_acc,
        participant_state: state_acc,
        commitment: commitment_acc,
        ..
    } = ix::CommitUpdateAccounts::load(accounts)?;
    let ix::CommitUpdateArgs { round, update_hash, update_cid, samples, bump } = ix::CommitUpdateArgs::decode(args)?;

    // SAFETY: the instruction's only Pool view; it loads every account type at most once.
    let pool = unsafe { load_pool(pool_acc, program_id) }?;
    require(pool.status == pool_status::ACTIVE, E::PoolNotActive)?;
    // SAFETY: the only Participant view (the commitment is created below, as a new account).
    let st = unsafe { load_participant(state_acc, program_id, pool_acc, participant.address()) }?;
    require(st.status == participant_status::ACTIVE, E::ParticipantWithdrawn)?;
    require(round > st.last_committed_round, E::AlreadyCommitted)?;
    require(round == pool.rounds_posted + 1 && round <= pool.num_rounds, E::RoundNotOpen)?;
    let now = now()?;
    require(now >= pool.round_start(round)? && now < pool.round_deadline(round)?, E::RoundNotOpen)?;
    validate_cid(&update_cid)?;
    require(samples > 0, E::InvalidSamples)?;

    let round_le = round.to_le_bytes();
    let seeds = commitment_seeds(pool_acc.address(), participant.address(), &round_le);
    let expected = canonical_pda(&seeds, bump, program_id)?;
    require(commitment_acc.address() == &expected, E::InvalidPda)?;
    create_pda_account(participant, commitment_acc, &seeds, bump, Commitment::LEN, program_id)?;
    // SAFETY: just created by `create_pda_account` with `Commitment::LEN` bytes; no other view of it.
    let c = unsafe { init_mut::<Commitment>(commitment_acc) };
    c.pool = *pool_acc.address();
    c.authority = *participant.address();
    c.committed_at = now;
    c.samples = samples;
    c.round = round;
    c.bump = bump;
    c.update_hash = update_hash;
    c.update_cid = update_cid;

    st.last_committed_round = round;
    st.commit_count += 1;
    st.open_commitments += 1;

    events::UpdateCommitted {
        pool: pool_acc.address(),
        participant: participant.address(),
        round,
        update_hash: &update_hash,
        update_cid: &update_cid,
        samples,
    }
    .emit();
    Ok(())
}
