//! `fund_pool(amount: u64)`
//!
//! Accounts: `creator` (signer), `pool`, `escrow`, `creator_token`, `token_program`.
//!
//! Rules: only the pool creator (`Unauthorized`); pool active (`PoolNotActive`);
//! `amount > 0` (`InvalidAmount`); `escrow` is the pool's escrow (`WrongVault`);
//! `creator_token` holds the pool mint (`WrongMint`); `total_funded` must not
//! overflow (`ArithmeticOverflow`). Emits `PoolFunded`.

use super::*;
use crate::errors::FedstrError as E;
use crate::events;
use crate::state::pool_status;
use crate::{checks::*, ix, token::*};

#[inline(never)]
pub fn process(input: crate::Ix) -> ProgramResult {
    let crate::Ix { program_id, accounts, data: args } = input;
    let ix::FundPoolAccounts { creator, pool: pool_acc, escrow, creator_token, .. } =
        ix::FundPoolAccounts::load(accounts)?;
    let ix::FundPoolArgs { amount } = ix::FundPoolArgs::decode(args)?;

    // SAFETY: the instruction's only Pool view; it loads every account type at most once.
    let pool = unsafe { load_pool(pool_acc, program_id) }?;
    require(creator.address() == &pool.creator, E::Unauthorized)?;
    require(pool.status == pool_status::ACTIVE, E::PoolNotActive)?;
    require(amount > 0, E::InvalidAmount)?;
    check_escrow(pool, escrow)?;
    distinct(creator_token, escrow)?;
    token_of_mint(creator_token, &pool.mint)?;
    pool.total_funded = add(pool.total_funded, amount)?;

    pinocchio_token::instructions::Transfer::new(creator_token, escrow, creator, amount).invoke()?;
    events::PoolFunded { pool: pool_acc.address(), amount, total_funded: pool.total_funded }.emit();
    Ok(())
}
