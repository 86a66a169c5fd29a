//! `withdraw_stake()`
//!
//! Accounts: `participant` (signer), `pool`, `participant_state`,
//! `stake_vault`, `destination` (token account of the pool mint), `token_program`.
//!
//! Rules: stakes are locked while the pool is active (`StakeLocked`); once it
//! is finished, cancelled, expired or finalized the participant (and only it,
//! `WrongPool`) withdraws its remaining stake (initial stake minus slashes),
//! once (`NothingToWithdraw`); right vault (`WrongVault`), destination of the
//! pool mint (`WrongMint`) that is not a pool vault (`DuplicateAccount`).
//! Emits `StakeWithdrawn`.

use super::*;
use crate::errors::FedstrError as E;
use crate::events;
use crate::state::*;
use crate::{checks::*, ix, token::*};

#[inline(never)]
pub fn process(input: crate::Ix) -> ProgramResult {
    let crate::Ix { program_id, accounts, data: args } = input;
    let ix::WithdrawStakeAccounts {
        participant,
        pool: pool_acc,
        participant_state: state_acc,
        stake_vault: vault,
        destination,
        ..
    } = ix::WithdrawStakeAccounts::load(accounts)?;
    ix::WithdrawStakeArgs::decode(args)?;

    // SAFETY: the instruction's only Pool view; it loads every account type at most once.
    let pool = unsafe { load_pool(pool_acc, program_id) }?;
    require(pool.status != pool_status::ACTIVE, E::StakeLocked)?;
    // SAFETY: the only Participant view.
    let st = unsafe { load_participant(state_acc, program_id, pool_acc, participant.address()) }?;
    require(st.status == participant_status::ACTIVE && st.stake > 0, E::NothingToWithdraw)?;
    check_vault(pool, vault)?;
    require(destination.address() != &pool.escrow && destination.address() != &pool.stake_vault, E::DuplicateAccount)?;
    token_of_mint(destination, &pool.mint)?;

    let amount = st.stake;
    st.stake = 0;
    st.status = participant_status::WITHDRAWN;
    pool.total_staked = sub(pool.total_staked, amount)?;
    pool_transfer(pool_acc, pool, vault, destination, amount)?;

    events::StakeWithdrawn { pool: pool_acc.address(), participant: participant.address(), amount }.emit();
    Ok(())
}
