//! One module per instruction. Each module's doc comment states the
//! instruction's accounts and rules; `process` implements them.

pub mod cancel_pool;
pub mod claim_reward;
pub mod close_commitment;
pub mod close_participant;
pub mod close_pool;
pub mod close_round;
pub mod commit_update;
pub mod create_pool;
pub mod expire_pool;
pub mod finalize_pool;
pub mod fund_pool;
pub mod join_pool;
pub mod post_round;
pub mod slash;
pub mod withdraw_stake;

use crate::checks::{require, Result};
use crate::errors::FedstrError;
use crate::pda::signer_seeds;
use crate::state::{load_mut, pool_seeds, Participant, Pool};
use crate::token::token_of_mint;
use pinocchio::{cpi::Signer, AccountView, Address, ProgramResult};

/// Moves `amount` tokens out of a pool-owned token account (escrow or stake
/// vault), signed by the pool PDA.
#[inline(always)]
pub(crate) fn pool_transfer(
    pool_account: &AccountView,
    pool: &Pool,
    from: &AccountView,
    to: &AccountView,
    amount: u64,
) -> ProgramResult {
    if amount == 0 {
        return Ok(());
    }
    let id = pool.pool_id.to_le_bytes();
    let bump = [pool.bump];
    let (seeds, n) = signer_seeds(&pool_seeds(&pool.creator, &id), &bump);
    let signer = [Signer::from(&seeds[..n])];
    pinocchio_token::instructions::Transfer::new(from, to, pool_account, amount).invoke_signed(&signer)
}

/// Closes a pool-owned token account (escrow or stake vault), rent to `dest`.
#[inline(always)]
pub(crate) fn pool_close_token_account(
    pool_account: &AccountView,
    pool: &Pool,
    account: &AccountView,
    dest: &AccountView,
) -> ProgramResult {
    let id = pool.pool_id.to_le_bytes();
    let bump = [pool.bump];
    let (seeds, n) = signer_seeds(&pool_seeds(&pool.creator, &id), &bump);
    let signer = [Signer::from(&seeds[..n])];
    pinocchio_token::instructions::CloseAccount::new(account, dest, pool_account).invoke_signed(&signer)
}

/// Loads the pool account (owner + discriminator checked).
///
/// # Safety
/// As for [`load_mut`]: no other view of the pool account may be live.
#[inline(always)]
pub(crate) unsafe fn load_pool(pool_account: &AccountView, program_id: &Address) -> Result<&'static mut Pool> {
    // SAFETY: forwarded to the caller.
    Ok(unsafe { load_mut::<Pool>(pool_account, program_id) }?)
}

/// Loads the participant state of `authority` in the pool at `pool_account`:
/// a program-owned `Participant` account (`InvalidAccountOwner` /
/// `InvalidDiscriminator`) whose `pool` and `authority` are these
/// (`WrongPool`). Only `join_pool` writes those fields, at the PDA
/// `["participant", pool, authority]`, and `close_pool` is refused while any
/// participant account of the pool remains, so no state of an earlier pool at
/// the same address can pass. Which statuses an instruction accepts is its own
/// rule.
///
/// # Safety
/// As for [`load_mut`]: no other view of the state account may be live.
#[inline(always)]
pub(crate) unsafe fn load_participant(
    state_account: &AccountView,
    program_id: &Address,
    pool_account: &AccountView,
    authority: &Address,
) -> Result<&'static mut Participant> {
    // SAFETY: forwarded to the caller.
    let st = unsafe { load_mut::<Participant>(state_account, program_id) }?;
    require(&st.pool == pool_account.address() && &st.authority == authority, FedstrError::WrongPool)?;
    Ok(st)
}

/// The escrow account passed must be the pool's escrow.
#[inline(always)]
pub(crate) fn check_escrow(pool: &Pool, escrow: &AccountView) -> Result<()> {
    require(escrow.address() == &pool.escrow, FedstrError::WrongVault)
}

/// The stake vault passed must be the pool's stake vault.
#[inline(always)]
pub(crate) fn check_vault(pool: &Pool, vault: &AccountView) -> Result<()> {
    require(vault.address() == &pool.stake_vault, FedstrError::WrongVault)
}

/// Refund destination: a token account of the pool mint owned by the pool creator.
#[inline(always)]
pub(crate) fn check_creator_token(pool: &Pool, creator_token: &AccountView) -> Result<()> {
    let t = token_of_mint(creator_token, &pool.mint)?;
    require(t.owner == pool.creator, FedstrError::Unauthorized)
}
