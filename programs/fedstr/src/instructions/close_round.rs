//! `close_round()`
//!
//! Accounts: `caller` (signer, anyone), `aggregator` (writable, receives the
//! rent), `pool` (writable), `round_result`.
//!
//! Rules: anyone may close a round result once its pool is finalized
//! (`PoolNotFinalized`; the pool account must exist, `InvalidAccountOwner`);
//! the round result belongs to `pool` (`WrongPool`); `aggregator` is the
//! account that paid for it (`Unauthorized`). The pool's `open_rounds` count
//! drops by one. Emits `AccountClosed`.

use super::*;
use crate::errors::FedstrError as E;
use crate::events;
use crate::state::*;
use crate::{checks::*, ix, pda::*};

#[inline(never)]
pub fn process(input: crate::Ix) -> ProgramResult {
    let crate::Ix { program_id, accounts, data: args } = input;
    let ix::CloseRoundAccounts { aggregator, pool: pool_acc, round_result: round_acc, .. } =
        ix::CloseRoundAccounts::load(accounts)?;
    ix::CloseRoundArgs::decode(args)?;

    // SAFETY: the instruction's only Pool view; it loads every account type at most once.
    let pool = unsafe { load_pool(pool_acc, program_id) }?;
    require(pool.status == pool_status::FINALIZED, E::PoolNotFinalized)?;
    // SAFETY: the only RoundResult view.
    let rr = unsafe { load_mut::<RoundResult>(round_acc, program_id) }?;
    require(&rr.pool == pool_acc.address(), E::WrongPool)?;
    require(&rr.aggregator == aggregator.address(), E::Unauthorized)?;
    pool.open_rounds = pool.open_rounds.checked_sub(1).ok_or(E::ArithmeticOverflow)?;
    close_account(round_acc, aggregator)?;

    events::AccountClosed {
        pool: pool_acc.address(),
        account: round_acc.address(),
        rent_receiver: aggregator.address(),
    }
    .emit();
    Ok(())
}
