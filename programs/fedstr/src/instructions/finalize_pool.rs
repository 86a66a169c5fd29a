//! `finalize_pool()`
//!
//! Accounts: `caller` (signer, anyone), `pool`, `escrow`, `creator_token`, `token_program`.
//!
//! Rules: a finished or expired pool can be finalized by anyone after
//! `ended_at + claim_window` (`ClaimWindowOpen` before, and for an active
//! pool); a cancelled pool at once; a finalized pool not again
//! (`PoolNotActive`). Everything left in escrow (`total_funded -
//! total_claimed - total_refunded`) returns to the creator's token account of
//! the pool mint; no more claims afterwards. Emits `PoolFinalized`.

use super::*;
use crate::errors::FedstrError as E;
use crate::events;
use crate::state::*;
use crate::{checks::*, ix};

#[inline(never)]
pub fn process(input: crate::Ix) -> ProgramResult {
    let crate::Ix { program_id, accounts, data: args } = input;
    let ix::FinalizePoolAccounts { pool: pool_acc, escrow, creator_token, .. } =
        ix::FinalizePoolAccounts::load(accounts)?;
    ix::FinalizePoolArgs::decode(args)?;

    // SAFETY: the instruction's only Pool view; it loads every account type at most once.
    let pool = unsafe { load_pool(pool_acc, program_id) }?;
    match pool.status {
        pool_status::FINISHED | pool_status::EXPIRED => {
            let end = pool.ended_at.checked_add(pool.claim_window).ok_or(E::ArithmeticOverflow)?;
            require(now()? > end, E::ClaimWindowOpen)?;
        }
        pool_status::CANCELLED => {}
        pool_status::ACTIVE => return err(E::ClaimWindowOpen),
        _ => return err(E::PoolNotActive),
    }
    check_escrow(pool, escrow)?;
    check_creator_token(pool, creator_token)?;

    let refund = pool.escrow_balance()?;
    pool.total_refunded = add(pool.total_refunded, refund)?;
    pool.status = pool_status::FINALIZED;
    pool_transfer(pool_acc, pool, escrow, creator_token, refund)?;

    events::PoolFinalized { pool: pool_acc.address(), refunded: refund }.emit();
    Ok(())
}
