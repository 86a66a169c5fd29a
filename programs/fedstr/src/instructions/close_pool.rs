//! `close_pool()`
//!
//! Accounts: `creator` (signer, writable, receives the rent), `pool`,
//! `escrow`, `stake_vault`, `token_program`.
//!
//! Rules: only the creator (`Unauthorized`) of a finalized pool
//! (`PoolNotFinalized`) whose stakes were all withdrawn and whose escrow and
//! vault are empty (`VaultNotEmpty`). Closes both token accounts and the pool
//! account. Round, participant and commitment accounts can still be closed
//! afterwards. Emits `AccountClosed`.

use super::*;
use crate::errors::FedstrError as E;
use crate::events;
use crate::state::*;
use crate::utils::*;

#[inline(never)]
pub fn process(ix: crate::Ix) -> ProgramResult {
    let crate::Ix { program_id, accounts, data: args } = ix;
    let [creator, pool_acc, escrow, vault, token_prog] = take_accounts::<5>(accounts)?;
    signer(creator)?;
    token_program(token_prog)?;
    Reader::new(args).finish()?;

    let pool = load_pool(pool_acc, program_id)?;
    require(creator.address() == &pool.creator, E::Unauthorized)?;
    require(pool.status == pool_status::FINALIZED, E::PoolNotFinalized)?;
    check_escrow(pool, escrow)?;
    check_vault(pool, vault)?;
    require(pool.total_staked == 0, E::VaultNotEmpty)?;
    require(token_account(escrow)?.amount == 0 && token_account(vault)?.amount == 0, E::VaultNotEmpty)?;

    let pool_copy = *pool;
    pool_close_token_account(pool_acc, &pool_copy, escrow, creator)?;
    pool_close_token_account(pool_acc, &pool_copy, vault, creator)?;
    close_account(pool_acc, creator)?;

    events::account_closed().key(pool_acc.address()).key(pool_acc.address()).key(creator.address()).emit();
    Ok(())
}
