//! `claim_reward(round: u32, weight: u64, amount: u64, update_hash: [u8; 32], proof: Vec<[u8; 32]>)`
//!
//! Accounts: `participant` (signer), `pool`, `participant_state`,
//! `round_result`, `escrow`, `destination` (token account of the pool mint),
//! `token_program`.
//!
//! Rules: only the participant itself (the participant state must belong to the
//! signer and the pool, `WrongPool`); the round result belongs to this pool and
//! round (`WrongPool` / `InvalidRound`) — and so to this incarnation of the
//! pool address, because `close_pool` is refused while round or participant
//! accounts remain; the pool is active, finished or expired
//! — a cancelled pool has no rounds (`PoolNotActive`), a finalized pool or a
//! finished/expired one past `ended_at + claim_window` rejects claims
//! (`ClaimWindowClosed`); once per round (`AlreadyClaimed`); the leaf
//! `sha256(0x00 || pool || round LE || participant || update_hash || weight LE || amount LE)`
//! must verify against the round's Merkle root with the sorted-pair proof
//! (`InvalidProof`, at most 32 siblings); the round's claims never exceed its
//! reward (`RoundRewardExceeded`); `destination` holds the pool mint
//! (`WrongMint`) and is neither escrow nor stake vault (`DuplicateAccount`).
//! Emits `RewardClaimed`.

use super::*;
use crate::errors::FedstrError as E;
use crate::events;
use crate::merkle::{reward_leaf, verify_merkle};
use crate::state::*;
use crate::{checks::*, ix, token::*};

#[inline(never)]
pub fn process(input: crate::Ix) -> ProgramResult {
    let crate::Ix { program_id, accounts, data: args } = input;
    let ix::ClaimRewardAccounts {
        participant,
        pool: pool_acc,
        participant_state: state_acc,
        round_result: round_acc,
        escrow,
        destination,
        ..
    } = ix::ClaimRewardAccounts::load(accounts)?;
    let ix::ClaimRewardArgs { round, weight, amount, update_hash, proof } = ix::ClaimRewardArgs::decode(args)?;

    // SAFETY: the instruction's only Pool view; it loads every account type at most once.
    let pool = unsafe { load_pool(pool_acc, program_id) }?;
    match pool.status {
        pool_status::ACTIVE => {}
        pool_status::FINISHED | pool_status::EXPIRED => {
            let end = pool.ended_at.checked_add(pool.claim_window).ok_or(E::ArithmeticOverflow)?;
            require(now()? <= end, E::ClaimWindowClosed)?;
        }
        pool_status::FINALIZED => return err(E::ClaimWindowClosed),
        _ => return err(E::PoolNotActive),
    }
    // SAFETY: the only Participant view.
    let st = unsafe { load_participant(state_acc, program_id, pool_acc, participant.address()) }?;
    // SAFETY: the only RoundResult view.
    let rr = unsafe { load_mut::<RoundResult>(round_acc, program_id) }?;
    require(&rr.pool == pool_acc.address(), E::WrongPool)?;
    require(rr.round == round && (1..=MAX_ROUNDS).contains(&round), E::InvalidRound)?;
    let byte = ((round - 1) / 8) as usize;
    let bit = 1u8 << ((round - 1) % 8);
    require(st.claimed_rounds[byte] & bit == 0, E::AlreadyClaimed)?;
    check_escrow(pool, escrow)?;
    require(destination.address() != &pool.escrow && destination.address() != &pool.stake_vault, E::DuplicateAccount)?;
    token_of_mint(destination, &pool.mint)?;

    let leaf = reward_leaf(pool_acc.address(), round, participant.address(), &update_hash, weight, amount);
    require(verify_merkle(leaf, proof, &rr.merkle_root), E::InvalidProof)?;
    let claimed = add(rr.claimed, amount)?;
    require(claimed <= rr.reward, E::RoundRewardExceeded)?;

    rr.claimed = claimed;
    st.claimed_rounds[byte] |= bit;
    pool.total_claimed = add(pool.total_claimed, amount)?;
    pool_transfer(pool_acc, pool, escrow, destination, amount)?;

    events::RewardClaimed { pool: pool_acc.address(), participant: participant.address(), round, weight, amount }
        .emit();
    Ok(())
}
