//! `create_pool(pool_id: u64, params: CreatePoolParams, pool_bump: u8, escrow_bump: u8, vault_bump: u8)`
//!
//! Accounts: `creator` (signer, writable, pays rent and deposits the rewards),
//! `pool` (PDA `["pool", creator, pool_id LE]`), `mint`, `escrow` (PDA
//! `["escrow", pool]`), `stake_vault` (PDA `["stake_vault", pool]`),
//! `creator_token` (token account of `mint` the creator can spend from),
//! `token_program`, `system_program`.
//!
//! Rules:
//! - `reward_amount > 0`; `1 <= num_rounds <= 256`; `max_participants >= 1`;
//!   `round_duration > 0`; `join_deadline > now`; `grace_period >= 0`;
//!   `claim_window >= 0`; `slash_limit_bps <= 10000`; the whole schedule
//!   (`join_deadline + num_rounds * round_duration + grace_period + claim_window`)
//!   must not overflow — otherwise `InvalidParameter`/`InvalidAmount`.
//! - `client_script_cid` and `initial_model_cid` are binary CIDv1 sha2-256 (`InvalidCid`).
//! - `mint` must be an SPL Token mint and `creator_token` an account of it (`WrongMint`).
//! - `pool`, `escrow` and `stake_vault` must be the PDAs for the given bumps
//!   (`InvalidPda`; the SDK passes the canonical bumps); creating an existing
//!   pool fails with `AlreadyInitialized`.
//! - Escrow and stake vault are SPL token accounts owned by the pool PDA: only
//!   this program can move their tokens.
//! - Emits `PoolCreated`.

use crate::errors::FedstrError as E;
use crate::events;
use crate::state::*;
use crate::utils::*;
use pinocchio::{cpi::Seed, ProgramResult};

#[inline(never)]
pub fn process(ix: crate::Ix) -> ProgramResult {
    let crate::Ix { program_id, accounts, data: args } = ix;
    let [creator, pool_acc, mint, escrow, vault, creator_token, token_prog, system_prog] = take_accounts::<8>(accounts)?;
    signer(creator)?;
    token_program(token_prog)?;
    system_program(system_prog)?;

    let mut r = Reader::new(args);
    let pool_id = r.u64()?;
    let aggregator = r.address()?;
    let reward_amount = r.u64()?;
    let min_stake = r.u64()?;
    let max_participants = r.u32()?;
    let num_rounds = r.u32()?;
    let round_duration = r.i64()?;
    let join_deadline = r.i64()?;
    let grace_period = r.i64()?;
    let claim_window = r.i64()?;
    let slash_limit_bps = r.u16()?;
    let nostr_job_id = *r.bytes::<32>()?;
    let client_script_cid = *r.bytes::<36>()?;
    let initial_model_cid = *r.bytes::<36>()?;
    let bump = r.u8()?;
    let escrow_bump = r.u8()?;
    let vault_bump = r.u8()?;
    r.finish()?;

    let now = now()?;
    require(reward_amount > 0, E::InvalidAmount)?;
    require(
        (1..=MAX_ROUNDS).contains(&num_rounds)
            && max_participants >= 1
            && round_duration > 0
            && join_deadline > now
            && grace_period >= 0
            && claim_window >= 0
            && slash_limit_bps as u64 <= BPS,
        E::InvalidParameter,
    )?;
    // The whole schedule must be representable: join_deadline + num_rounds *
    // round_duration + grace_period + claim_window <= i64::MAX (no 128-bit math).
    let room = i64::MAX
        .checked_sub(join_deadline)
        .and_then(|v| v.checked_sub(grace_period))
        .and_then(|v| v.checked_sub(claim_window))
        .ok_or(E::InvalidParameter)?;
    require(room >= 0 && (round_duration as u64) <= (room as u64) / (num_rounds as u64), E::InvalidParameter)?;
    validate_cid(&client_script_cid)?;
    validate_cid(&initial_model_cid)?;

    require(mint.owned_by(&TOKEN_PROGRAM_ID) && mint.data_len() == 82, E::WrongMint)?;
    distinct(escrow, vault)?;
    distinct(creator_token, escrow)?;
    distinct(creator_token, vault)?;
    token_of_mint(creator_token, mint.address())?;

    let id_bytes = pool_id.to_le_bytes();
    // Bumps come from the client (the SDK passes the canonical ones): checking
    // them costs one sha256 each instead of a bump search. A non-canonical pool
    // bump would only give the same creator a second pool with the same id.
    let pool_key = derive_pda(&[POOL_SEED, creator.address().as_ref(), &id_bytes], bump, program_id);
    require(pool_acc.address() == &pool_key, E::InvalidPda)?;
    let escrow_key = derive_pda(&[ESCROW_SEED, pool_key.as_ref()], escrow_bump, program_id);
    require(escrow.address() == &escrow_key, E::InvalidPda)?;
    let vault_key = derive_pda(&[STAKE_VAULT_SEED, pool_key.as_ref()], vault_bump, program_id);
    require(vault.address() == &vault_key, E::InvalidPda)?;

    let b = [bump];
    create_pda_account(
        creator,
        pool_acc,
        &[Seed::from(POOL_SEED), Seed::from(creator.address().as_ref()), Seed::from(&id_bytes), Seed::from(&b)],
        Pool::LEN,
        program_id,
    )?;
    let eb = [escrow_bump];
    create_pda_account(
        creator,
        escrow,
        &[Seed::from(ESCROW_SEED), Seed::from(pool_key.as_ref()), Seed::from(&eb)],
        TOKEN_ACCOUNT_LEN,
        &TOKEN_PROGRAM_ID,
    )?;
    pinocchio_token::instructions::InitializeAccount3::new(escrow, mint, &pool_key).invoke()?;
    let vb = [vault_bump];
    create_pda_account(
        creator,
        vault,
        &[Seed::from(STAKE_VAULT_SEED), Seed::from(pool_key.as_ref()), Seed::from(&vb)],
        TOKEN_ACCOUNT_LEN,
        &TOKEN_PROGRAM_ID,
    )?;
    pinocchio_token::instructions::InitializeAccount3::new(vault, mint, &pool_key).invoke()?;

    let pool = init_mut::<Pool>(pool_acc);
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
    pool.client_script_cid = client_script_cid;
    pool.initial_model_cid = initial_model_cid;

    pinocchio_token::instructions::Transfer::new(creator_token, escrow, creator, reward_amount).invoke()?;

    events::pool_created()
        .key(&pool_key)
        .key(creator.address())
        .key(&aggregator)
        .key(mint.address())
        .u64(pool_id)
        .u64(reward_amount)
        .u64(min_stake)
        .u32(max_participants)
        .u32(num_rounds)
        .i64(round_duration)
        .i64(join_deadline)
        .bytes(&nostr_job_id)
        .bytes(&client_script_cid)
        .bytes(&initial_model_cid)
        .emit();
    Ok(())
}
