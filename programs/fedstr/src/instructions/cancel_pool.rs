//! `cancel_pool()`
//!
//! Accounts: `creator` (signer), `pool`, `escrow`, `creator_token`, `token_program`.
//!
//! Rules: only the creator (`Unauthorized`), only an active pool
//! (`PoolNotActive`) with no round posted yet (`CancelNotAllowed`). All
//! rewards in escrow go back to `creator_token` (the creator's account of the
//! pool mint, `WrongMint`/`Unauthorized`), the pool becomes cancelled and
//! stakes become withdrawable. Emits `PoolCancelled`.

use super::*;
use crate::errors::FedstrError as E;
use crate::events;
use crate::state::*;
use crate::{checks::*, ix};

#[inline(never)]
pub fn process(input: crate::Ix) -> ProgramResult {
    let crate::Ix { program_id, accounts, data: args } = input;
    let ix::CancelPoolAccounts { creator, pool: pool_acc, escrow, creator_token, .. } =
        ix::CancelPoolAccounts::load(accounts)?;
    ix::CancelPoolArgs::decode(args)?;

    // SAFETY: the instruction's only Pool view; it loads every account type at most once.
    let pool = unsafe { load_pool(pool_acc, program_id) }?;
    require(creator.address() == &pool.creator, E::Unauthorized)?;
    require(pool.status == pool_status::ACTIVE, E::PoolNotActive)?;
    require(pool.rounds_posted == 0, E::CancelNotAllowed)?;
    check_escrow(pool, escrow)?;
    check_creator_token(pool, creator_token)?;

    let refund = pool.escrow_balance()?;
    pool.total_refunded = add(pool.total_refunded, refund)?;
    pool.status = pool_status::CANCELLED;
    pool.ended_at = now()?;
    pool_transfer(pool_acc, pool, escrow, creator_token, refund)?;

    events::PoolCancelled { pool: pool_acc.address(), refunded: refund }.emit();
    Ok(())
}
