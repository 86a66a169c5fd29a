//! `join_pool(stake: u64, nostr_pubkey: [u8; 32])`
//!
//! Accounts: `participant` (signer, writable, pays rent), `pool`,
//! `participant_state` (PDA `["participant", pool, participant]`),
//! `participant_token` (token account of the pool mint), `stake_vault`,
//! `token_program`, `system_program`.
//!
//! Rules: pool active (`PoolNotActive`); strictly before `join_deadline`
//! (`JoinDeadlinePassed`); fewer than `max_participants` (`PoolFull`);
//! `stake >= max(min_stake, 1)` (`StakeTooLow`); right vault (`WrongVault`) and
//! mint (`WrongMint`); canonical PDA (`InvalidPda`); joining twice fails with
//! `AlreadyInitialized` (lamports a stranger sent to the address beforehand do
//! not block it). `nostr_pubkey` is the participant's Nostr x-only public key,
//! stored so that aggregators accept result events signed by it only. The
//! stake moves into the stake vault; the pool counts the new account
//! (`open_participants`). Emits `ParticipantJoined`.

use super::*;
use crate::errors::FedstrError as E;
use crate::events;
use crate::state::*;
use crate::{checks::*, ix, pda::*, token::*};

#[inline(never)]
pub fn process(input: crate::Ix) -> ProgramResult {
    let crate::Ix { program_id, accounts, data: args } = input;
    let ix::JoinPoolAccounts {
        participant,
        pool: pool_acc,
        participant_state: state_acc,
        participant_token,
        stake_vault: vault,
        ..
    } = ix::JoinPoolAccounts::load(accounts)?;
    let ix::JoinPoolArgs { stake, nostr_pubkey } = ix::JoinPoolArgs::decode(args)?;

    // SAFETY: the instruction's only Pool view; it loads every account type at most once.
    let pool = unsafe { load_pool(pool_acc, program_id) }?;
    require(pool.status == pool_status::ACTIVE, E::PoolNotActive)?;
    let now = now()?;
    require(now < pool.join_deadline, E::JoinDeadlinePassed)?;
    require(pool.participant_count < pool.max_participants, E::PoolFull)?;
    require(stake > 0 && stake >= pool.min_stake, E::StakeTooLow)?;
    check_vault(pool, vault)?;
    distinct(participant_token, vault)?;
    token_of_mint(participant_token, &pool.mint)?;

    let seeds = participant_seeds(pool_acc.address(), participant.address());
    let (state_key, bump) = Address::find_program_address(&seeds, program_id);
    require(state_acc.address() == &state_key, E::InvalidPda)?;
    create_pda_account(participant, state_acc, &seeds, bump, Participant::LEN, program_id)?;
    pool.participant_count += 1;
    pool.open_participants += 1;
    pool.total_staked = add(pool.total_staked, stake)?;

    // SAFETY: just created by `create_pda_account` with `Participant::LEN` bytes; no other view of it.
    let st = unsafe { init_mut::<Participant>(state_acc) };
    st.pool = *pool_acc.address();
    st.authority = *participant.address();
    st.stake = stake;
    st.initial_stake = stake;
    st.joined_at = now;
    st.status = participant_status::ACTIVE;
    st.bump = bump;
    st.nostr_pubkey = nostr_pubkey;

    pinocchio_token::instructions::Transfer::new(participant_token, vault, participant, stake).invoke()?;
    events::ParticipantJoined {
        pool: pool_acc.address(),
        participant: participant.address(),
        stake,
        participant_count: pool.participant_count,
        nostr_pubkey: &nostr_pubkey,
    }
    .emit();
    Ok(())
}
