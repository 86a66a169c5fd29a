//! `slash(round: u32, amount: u64, reason: u8, evidence_cid: [u8; 36])`
//!
//! Accounts: `aggregator` (signer), `pool`, `participant_state`, `commitment`
//! (the participant's commitment for `round`), `stake_vault`, `escrow`,
//! `token_program`.
//!
//! Rules: only the pool's aggregator (`Unauthorized`) while the pool is active
//! (`PoolNotActive`) and before `round` is posted (`RoundAlreadyPosted`: once
//! posted, its commitments may be closed, so a later slash would race the
//! participant's close — the aggregator slashes before it posts); the
//! participant belongs to the pool (`WrongPool`) and has
//! not withdrawn (`ParticipantWithdrawn`); the commitment is that
//! participant's commitment for `round` in this pool (`WrongPool`) — a slash
//! always points at an on-chain commitment of this incarnation of the pool
//! (commitments cannot outlive their participant account, which cannot
//! outlive the pool); `reason != 0` (`InvalidSlashReason`;
//! codes are defined off chain, e.g. 1 = committed hash does not match the
//! published content); the evidence CID is a binary CIDv1 sha2-256
//! (`InvalidCid`); `amount > 0` (`InvalidAmount`); cumulative slashes of the
//! participant stay within `initial_stake * slash_limit_bps / 10000` and its
//! current stake (`SlashLimitExceeded`). The slashed tokens move from the
//! stake vault to the reward escrow and count as funded rewards.
//! Emits `ParticipantSlashed`.

use super::*;
use crate::errors::FedstrError as E;
use crate::events;
use crate::state::*;
use crate::{checks::*, ix};

#[inline(never)]
pub fn process(input: crate::Ix) -> ProgramResult {
    let crate::Ix { program_id, accounts, data: args } = input;
    let ix::SlashAccounts {
        aggregator,
        pool: pool_acc,
        participant_state: state_acc,
        commitment: commitment_acc,
        stake_vault: vault,
        escrow,
        ..
    } = ix::SlashAccounts::load(accounts)?;
    let ix::SlashArgs { round, amount, reason, evidence_cid } = ix::SlashArgs::decode(args)?;

    // SAFETY: the instruction's only Pool view; it loads every account type at most once.
    let pool = unsafe { load_pool(pool_acc, program_id) }?;
    require(aggregator.address() == &pool.aggregator, E::Unauthorized)?;
    require(pool.status == pool_status::ACTIVE, E::PoolNotActive)?;
    require(round > pool.rounds_posted, E::RoundAlreadyPosted)?;
    // SAFETY: the only Commitment view.
    let c = unsafe { load_mut::<Commitment>(commitment_acc, program_id) }?;
    require(&c.pool == pool_acc.address() && c.round == round, E::WrongPool)?;
    // SAFETY: the only Participant view. Its authority is the commitment's.
    let st = unsafe { load_participant(state_acc, program_id, pool_acc, &c.authority) }?;
    require(st.status == participant_status::ACTIVE, E::ParticipantWithdrawn)?;
    require(reason != 0, E::InvalidSlashReason)?;
    validate_cid(&evidence_cid)?;
    require(amount > 0, E::InvalidAmount)?;
    let bps = pool.slash_limit_bps as u64;
    // initial_stake * bps / 10000 without 128-bit arithmetic (exact, cannot overflow).
    let cap = (st.initial_stake / BPS).wrapping_mul(bps) + (st.initial_stake % BPS).wrapping_mul(bps) / BPS;
    let slashed = add(st.slashed, amount)?;
    require(slashed <= cap && amount <= st.stake, E::SlashLimitExceeded)?;
    check_vault(pool, vault)?;
    check_escrow(pool, escrow)?;

    st.stake = sub(st.stake, amount)?;
    st.slashed = slashed;
    pool.total_staked = sub(pool.total_staked, amount)?;
    pool.total_slashed = add(pool.total_slashed, amount)?;
    pool.total_funded = add(pool.total_funded, amount)?;
    pool_transfer(pool_acc, pool, vault, escrow, amount)?;

    events::ParticipantSlashed {
        pool: pool_acc.address(),
        participant: &st.authority,
        round,
        amount,
        reason,
        evidence_cid: &evidence_cid,
        remaining_stake: st.stake,
    }
    .emit();
    Ok(())
}
