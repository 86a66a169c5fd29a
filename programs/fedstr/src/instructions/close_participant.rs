//! `close_participant()`
//!
//! Accounts: `participant` (signer, writable, receives the rent), `pool`, `participant_state`.
//!
//! Rules: only the participant (`Unauthorized`); the state belongs to `pool`
//! (`WrongPool`); the pool is finalized or already closed
//! (`PoolNotFinalized`); the stake is withdrawn or fully slashed
//! (`StakeNotWithdrawn`). Emits `AccountClosed`.

use super::*;
use crate::errors::FedstrError as E;
use crate::events;
use crate::state::*;
use crate::utils::*;

#[inline(never)]
pub fn process(ix: crate::Ix) -> ProgramResult {
    let crate::Ix { program_id, accounts, data: args } = ix;
    let [participant, pool_acc, state_acc] = take_accounts::<3>(accounts)?;
    signer(participant)?;
    Reader::new(args).finish()?;

    let st = load_mut::<Participant>(state_acc, program_id)?;
    require(&st.authority == participant.address(), E::Unauthorized)?;
    require(&st.pool == pool_acc.address(), E::WrongPool)?;
    check_pool_finalized_or_closed(pool_acc, program_id)?;
    require(st.stake == 0, E::StakeNotWithdrawn)?;
    close_account(state_acc, participant)?;

    events::account_closed().key(pool_acc.address()).key(state_acc.address()).key(participant.address()).emit();
    Ok(())
}
