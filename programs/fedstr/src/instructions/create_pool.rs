//! `create_pool(pool_id: u64, params: CreatePoolParams, pool_bump: u8, escrow_bump: u8, vault_bump: u8)`
//!
//! Accounts: `creator` (signer, writable, pays rent and deposits the rewards),
//! `pool` (PDA `["pool", creator, pool_id LE]`), `mint`, `escrow` (PDA
//! `["escrow", pool]`), `stake_vault` (PDA `["stake_vault", pool]`),
//! `creator_token` (token account of `mint` the creator can spend from),
//! `token_program`, `system_program`.
//!
//! Rules:
//! - `reward_amount > 0` (`InvalidAmount`); `1 <= num_rounds <= 256`,
//!   `max_participants >= 1`, `slash_limit_bps <= 10000` (`InvalidParameter`).
//! - Schedule bounds (seconds, see `state.rs`): `5 <= round_duration <= 30 days`
//!   (`InvalidRoundDuration`); `now < join_deadline <= now + 365 days`
//!   (`InvalidJoinDeadline`); `0 <= grace_period <= 30 days`
//!   (`InvalidGracePeriod`); `60 <= claim_window <= 365 days`
//!   (`InvalidClaimWindow`); the end of the last claim window
//!   (`join_deadline + num_rounds * round_duration + grace_period + claim_window`)
//!   at most 3 years from now (`ScheduleTooLong`).
//! - `training_plan_cid` and `initial_model_cid` are binary CIDv1 sha2-256 (`InvalidCid`).
//! - `mint` must be an SPL Token mint and `creator_token` an account of it
//!   (`WrongMint`). A mint with a freeze authority is accepted: its holder can
//!   freeze the escrow and vault (a trust assumption the SDK's pool summary
//!   and the CLI show; see docs/program.md).
//! - `pool`, `escrow` and `stake_vault` must be the PDAs for the given bumps
//!   and the bumps canonical (`InvalidPda`), so there is one pool address per
//!   (creator, pool_id); creating an existing pool fails with
//!   `AlreadyInitialized`. Lamports a stranger sent to any of the three
//!   addresses beforehand do not block creation.
//! - Escrow and stake vault are SPL token accounts owned by the pool PDA: only
//!   this program can move their tokens.
//! - Emits `PoolCreated`.

use crate::errors::FedstrError as E;
use crate::events;
use crate::state::*;
use crate::{checks::*, ix, pda::*, token::*};
use pinocchio::ProgramResult;

#[inline(never)]
pub fn process(input: crate::Ix) -> ProgramResult {
    let crate::Ix { program_id, accounts, data: args } = input;
    let ix::CreatePoolAccounts { creator, pool: pool_acc, mint, escrow, stake_vault: vault, creator_token, .. } =
        ix::CreatePoolAccounts::load(accounts)?;

    let ix::CreatePoolArgs {
        pool_id,
        params:
            ix::CreatePoolParams {
                aggregator,
                reward_amount,
                min_stake,
                max_participants,
                num_rounds,
                round_duration,
                join_deadline,
                grace_period,
                claim_window,
                slash_limit_bps,
                nostr_job_id,
                training_plan_cid,
                initial_model_cid,
            },
        pool_bump: bump,
        escrow_bump,
        vault_bump,
    } = ix::CreatePoolArgs::decode(args)?;

    let now = now()?;
    require(reward_amount > 0, E::InvalidAmount)?;
    require(
        (1..=MAX_ROUNDS).contains(&num_rounds) && max_participants >= 1 && slash_limit_bps as u64 <= BPS,
        E::InvalidParameter,
    )?;
    require((MIN_ROUND_DURATION..=MAX_ROUND_DURATION).contains(&round_duration), E::InvalidRoundDuration)?;
    // `now` is a real clock value, far from i64::MAX: the additions below cannot overflow.
    require(join_deadline > now && join_deadline - now <= MAX_JOIN_WINDOW, E::InvalidJoinDeadline)?;
    require((0..=MAX_GRACE_PERIOD).contains(&grace_period), E::InvalidGracePeriod)?;
    require((MIN_CLAIM_WINDOW..=MAX_CLAIM_WINDOW).contains(&claim_window), E::InvalidClaimWindow)?;
    // num_rounds <= 256 and round_duration <= 30 days: the product fits in 32 bits.
    let rounds_span = (num_rounds as i64).wrapping_mul(round_duration);
    let end = join_deadline - now + rounds_span + grace_period + claim_window;
    require(end <= MAX_SCHEDULE, E::ScheduleTooLong)?;
    validate_cid(&training_plan_cid)?;
    validate_cid(&initial_model_cid)?;

    require(mint.owned_by(&TOKEN_PROGRAM_ID) && mint.data_len() == 82, E::WrongMint)?;
    distinct(escrow, vault)?;
    distinct(creator_token, escrow)?;
    distinct(creator_token, vault)?;
    token_of_mint(creator_token, mint.address())?;

    let id_bytes = pool_id.to_le_bytes();
    // Bumps come from the client (the SDK passes the canonical ones) and are
    // checked to be canonical without a bump search (see `canonical_pda`).
    let pool_seeds = pool_seeds(creator.address(), &id_bytes);
    let pool_key = canonical_pda(&pool_seeds, bump, program_id)?;
    require(pool_acc.address() == &pool_key, E::InvalidPda)?;
    let escrow_seeds = escrow_seeds(&pool_key);
    let escrow_key = canonical_pda(&escrow_seeds, escrow_bump, program_id)?;
    require(escrow.address() == &escrow_key, E::InvalidPda)?;
    let vault_seeds = stake_vault_seeds(&pool_key);
    let vault_key = canonical_pda(&vault_seeds, vault_bump, program_id)?;
    require(vault.address() == &vault_key, E::InvalidPda)?;

    create_pda_account(creator, pool_acc, &pool_seeds, bump, Pool::LEN, program_id)?;
    create_pda_account(creator, escrow, &escrow_seeds, escrow_bump, TOKEN_ACCOUNT_LEN, &TOKEN_PROGRAM_ID)?;
    pinocchio_token::instructions::InitializeAccount3::new(escrow, mint, &pool_key).invoke()?;
    create_pda_account(creator, vault, &vault_seeds, vault_bump, TOKEN_ACCOUNT_LEN, &TOKEN_PROGRAM_ID)?;
    pinocchio_token::instructions::InitializeAccount3::new(vault, mint, &pool_key).invoke()?;

    // SAFETY: just created by `create_pda_account` with `Pool::LEN` bytes; no other view of it.
    let pool = unsafe { init_mut::<Pool>(pool_acc) };
    pool.creator = *creator.address();
    pool.aggregator = aggregator;
    pool.mint = *mint.address();
    pool.escrow = escrow_key;
    pool.stake_vault = vault_key;
    pool.pool_id = pool_id;
    pool.min_stake = min_stake;
    pool.round_duration = round_duration;
    pool.join_deadline = join_deadline;
    pool.grace_period = grace_period;
    pool.claim_window = claim_window;
    pool.created_at = now;
    pool.total_funded = reward_amount;
    pool.max_participants = max_participants;
    pool.num_rounds = num_rounds;
    pool.slash_limit_bps = slash_limit_bps;
    pool.status = pool_status::ACTIVE;
    pool.bump = bump;
    pool.escrow_bump = escrow_bump;
    pool.vault_bump = vault_bump;
    pool.nostr_job_id = nostr_job_id;
    pool.training_plan_cid = training_plan_cid;
    pool.initial_model_cid = initial_model_cid;

    pinocchio_token::instructions::Transfer::new(creator_token, escrow, creator, reward_amount).invoke()?;

    events::PoolCreated {
        pool: &pool_key,
        creator: creator.address(),
        aggregator: &aggregator,
        mint: mint.address(),
        pool_id,
        reward_amount,
        min_stake,
        max_participants,
        num_rounds,
        round_duration,
        join_deadline,
        nostr_job_id: &nostr_job_id,
        training_plan_cid: &training_plan_cid,
        initial_model_cid: &initial_model_cid,
    }
    .emit();
    Ok(())
}
