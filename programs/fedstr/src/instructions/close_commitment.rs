//! `close_commitment()`
//!
//! Accounts: `caller` (signer, anyone), `participant` (writable, the
//! participant that made the commitment, receives the rent it paid), `pool`,
//! `participant_state` (writable), `commitment`.
//!
//! Rules: anyone may close a commitment once its round is posted
//! (`round <= rounds_posted`) or its pool is finalized (`RoundNotPosted`; the
//! pool account must exist, `InvalidAccountOwner`): after the post nothing
//! reads it — `slash` refuses posted rounds (`RoundAlreadyPosted`), claims
//! read the participant state and the round result, and rounds strictly
//! increase per participant, so the closed round cannot be committed again;
//! the commitment and the participant state belong to `pool` and to the same
//! participant (`WrongPool`); `participant` is that participant
//! (`Unauthorized`), who always gets the rent, whoever sends it. The
//! participant's `open_commitments` count drops by one. Emits `AccountClosed`.

use super::*;
use crate::errors::FedstrError as E;
use crate::events;
use crate::state::*;
use crate::{checks::*, ix, pda::*};

#[inline(never)]
pub fn process(input: crate::Ix) -> ProgramResult {
    let crate::Ix { program_id, accounts, data: args } = input;
    let ix::CloseCommitmentAccounts {
        participant,
        pool: pool_acc,
        participant_state: state_acc,
        commitment: commitment_acc,
        ..
    } = ix::CloseCommitmentAccounts::load(accounts)?;
    ix::CloseCommitmentArgs::decode(args)?;

    // SAFETY: the instruction's only Pool view; it loads every account type at most once.
    let pool = unsafe { load_pool(pool_acc, program_id) }?;
    // SAFETY: the only Commitment view.
    let c = unsafe { load_mut::<Commitment>(commitment_acc, program_id) }?;
    require(&c.pool == pool_acc.address(), E::WrongPool)?;
    require(c.round <= pool.rounds_posted || pool.status == pool_status::FINALIZED, E::RoundNotPosted)?;
    // SAFETY: the only Participant view. Its authority is the commitment's.
    let st = unsafe { load_participant(state_acc, program_id, pool_acc, &c.authority) }?;
    require(&c.authority == participant.address(), E::Unauthorized)?;
    st.open_commitments = st.open_commitments.checked_sub(1).ok_or(E::ArithmeticOverflow)?;
    close_account(commitment_acc, participant)?;

    events::AccountClosed {
        pool: pool_acc.address(),
        account: commitment_acc.address(),
        rent_receiver: participant.address(),
    }
    .emit();
    Ok(())
}
