//! `close_commitment()`
//!
//! Accounts: `participant` (signer, writable, receives the rent), `pool`, `commitment`.
//!
//! Rules: only the participant that made the commitment (`Unauthorized`); the
//! commitment belongs to `pool` (`WrongPool`); the pool is finalized or
//! already closed (`PoolNotFinalized`). Emits `AccountClosed`.

use super::*;
use crate::errors::FedstrError as E;
use crate::events;
use crate::state::*;
use crate::utils::*;

#[inline(never)]
pub fn process(ix: crate::Ix) -> ProgramResult {
    let crate::Ix { program_id, accounts, data: args } = ix;
    let [participant, pool_acc, commitment_acc] = take_accounts::<3>(accounts)?;
    signer(participant)?;
    Reader::new(args).finish()?;

    let c = load_mut::<Commitment>(commitment_acc, program_id)?;
    require(&c.authority == participant.address(), E::Unauthorized)?;
    require(&c.pool == pool_acc.address(), E::WrongPool)?;
    check_pool_finalized_or_closed(pool_acc, program_id)?;
    close_account(commitment_acc, participant)?;

    events::account_closed()
        .key(pool_acc.address())
        .key(commitment_acc.address())
        .key(participant.address())
        .emit();
    Ok(())
}
