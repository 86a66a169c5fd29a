//! `expire_pool()`
//!
//! Accounts: `caller` (signer, anyone), `pool`, `escrow`, `creator_token`, `token_program`.
//!
//! Rules (liveness): anyone may expire an active pool (`PoolNotActive`) once
//! the next round `rounds_posted + 1` is past `round_deadline + grace_period`
//! without a result (`NotExpired` before that). The rewards not allocated to a
//! posted round return to the creator's token account of the pool mint
//! (`Unauthorized`/`WrongMint` otherwise); stakes become withdrawable; rewards
//! of posted rounds stay claimable for `claim_window`, after which
//! `finalize_pool` returns the rest. Emits `PoolExpired`.

use super::*;
use crate::errors::FedstrError as E;
use crate::events;
use crate::state::*;
use crate::{checks::*, ix};

#[inline(never)]
pub fn process(input: crate::Ix) -> ProgramResult {
    let crate::Ix { program_id, accounts, data: args } = input;
    let ix::ExpirePoolAccounts { pool: pool_acc, escrow, creator_token, .. } = ix::ExpirePoolAccounts::load(accounts)?;
    ix::ExpirePoolArgs::decode(args)?;

    // SAFETY: the instruction's only Pool view; it loads every account type at most once.
    let pool = unsafe { load_pool(pool_acc, program_id) }?;
    require(pool.status == pool_status::ACTIVE, E::PoolNotActive)?;
    let next = pool.rounds_posted + 1;
    let limit = pool.round_deadline(next)?.checked_add(pool.grace_period).ok_or(E::ArithmeticOverflow)?;
    let now = now()?;
    require(now > limit, E::NotExpired)?;
    check_escrow(pool, escrow)?;
    check_creator_token(pool, creator_token)?;

    let refund = pool.unallocated()?;
    pool.total_refunded = add(pool.total_refunded, refund)?;
    pool.status = pool_status::EXPIRED;
    pool.ended_at = now;
    pool_transfer(pool_acc, pool, escrow, creator_token, refund)?;

    events::PoolExpired { pool: pool_acc.address(), rounds_posted: pool.rounds_posted, refunded: refund }.emit();
    Ok(())
}
