//! `close_pool()`
//!
//! Accounts: `creator` (signer, writable, receives the rent), `pool`,
//! `escrow`, `stake_vault`, `creator_token` (the creator's token account of
//! the pool mint), `token_program`.
//!
//! Rules: only the creator (`Unauthorized`) of a finalized pool
//! (`PoolNotFinalized`) whose participant and round accounts are all closed
//! (`PoolHasOpenAccounts`; anyone may close those once the pool is finalized,
//! and closing a participant account pays out its stake, so the vault's
//! tracked balance is then 0). Because no child account can outlive the pool,
//! a pool later created at the same address (same creator and pool id) starts
//! clean. Tokens anyone sent to the escrow or vault outside the program's
//! bookkeeping are swept to `creator_token` (`WrongMint`/`Unauthorized`
//! otherwise), then both token accounts and the pool account are closed — so
//! a stranger's transfer can never keep them open. Emits `AccountClosed`.

use super::*;
use crate::errors::FedstrError as E;
use crate::events;
use crate::state::*;
use crate::{checks::*, ix, pda::*, token::*};

#[inline(never)]
pub fn process(input: crate::Ix) -> ProgramResult {
    let crate::Ix { program_id, accounts, data: args } = input;
    let ix::ClosePoolAccounts { creator, pool: pool_acc, escrow, stake_vault: vault, creator_token, .. } =
        ix::ClosePoolAccounts::load(accounts)?;
    ix::ClosePoolArgs::decode(args)?;

    // SAFETY: the instruction's only Pool view; it loads every account type at most once.
    let pool = unsafe { load_pool(pool_acc, program_id) }?;
    require(creator.address() == &pool.creator, E::Unauthorized)?;
    require(pool.status == pool_status::FINALIZED, E::PoolNotFinalized)?;
    require(pool.open_participants == 0 && pool.open_rounds == 0, E::PoolHasOpenAccounts)?;
    require(pool.total_staked == 0, E::VaultNotEmpty)?;
    check_escrow(pool, escrow)?;
    check_vault(pool, vault)?;
    check_creator_token(pool, creator_token)?;

    let pool_copy = *pool;
    pool_transfer(pool_acc, &pool_copy, escrow, creator_token, token_account(escrow)?.amount)?;
    pool_transfer(pool_acc, &pool_copy, vault, creator_token, token_account(vault)?.amount)?;
    pool_close_token_account(pool_acc, &pool_copy, escrow, creator)?;
    pool_close_token_account(pool_acc, &pool_copy, vault, creator)?;
    close_account(pool_acc, creator)?;

    events::AccountClosed { pool: pool_acc.address(), account: pool_acc.address(), rent_receiver: creator.address() }
        .emit();
    Ok(())
}
