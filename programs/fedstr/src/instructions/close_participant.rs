//! `close_participant()`
//!
//! Accounts: `caller` (signer, anyone), `participant` (writable, the
//! participant, receives the rent it paid), `pool` (writable),
//! `participant_state`, `stake_vault`, `destination` (the participant's token
//! account of the pool mint), `token_program`.
//!
//! Rules: anyone may close a participant account once its pool is finalized
//! (`PoolNotFinalized`; the pool account must exist, `InvalidAccountOwner`);
//! the state belongs to `pool` and `participant` is its authority
//! (`WrongPool`, as in every instruction taking a participant state); its commitment accounts are closed first
//! (`CommitmentsOpen`). A stake the participant never withdrew is paid to
//! `destination`, which must be a token account of the pool mint (`WrongMint`)
//! owned by the participant (`Unauthorized`) — so one idle participant cannot
//! keep the pool (and the organization's rent) open, and nobody else can take
//! the stake. The pool's `open_participants` count drops by one. Emits
//! `StakeWithdrawn` (if a stake was paid) and `AccountClosed`.

use super::*;
use crate::errors::FedstrError as E;
use crate::events;
use crate::state::*;
use crate::{checks::*, ix, pda::*, token::*};

#[inline(never)]
pub fn process(input: crate::Ix) -> ProgramResult {
    let crate::Ix { program_id, accounts, data: args } = input;
    let ix::CloseParticipantAccounts {
        participant,
        pool: pool_acc,
        participant_state: state_acc,
        stake_vault: vault,
        destination,
        ..
    } = ix::CloseParticipantAccounts::load(accounts)?;
    ix::CloseParticipantArgs::decode(args)?;

    // SAFETY: the instruction's only Pool view; it loads every account type at most once.
    let pool = unsafe { load_pool(pool_acc, program_id) }?;
    require(pool.status == pool_status::FINALIZED, E::PoolNotFinalized)?;
    // SAFETY: the only Participant view.
    let st = unsafe { load_participant(state_acc, program_id, pool_acc, participant.address()) }?;
    require(st.open_commitments == 0, E::CommitmentsOpen)?;

    let stake = st.stake;
    if stake > 0 {
        check_vault(pool, vault)?;
        let t = token_of_mint(destination, &pool.mint)?;
        require(t.owner == st.authority, E::Unauthorized)?;
        st.stake = 0;
        st.status = participant_status::WITHDRAWN;
        pool.total_staked = sub(pool.total_staked, stake)?;
        pool_transfer(pool_acc, pool, vault, destination, stake)?;
        events::StakeWithdrawn { pool: pool_acc.address(), participant: participant.address(), amount: stake }.emit();
    }
    pool.open_participants = pool.open_participants.checked_sub(1).ok_or(E::ArithmeticOverflow)?;
    close_account(state_acc, participant)?;

    events::AccountClosed {
        pool: pool_acc.address(),
        account: state_acc.address(),
        rent_receiver: participant.address(),
    }
    .emit();
    Ok(())
}
