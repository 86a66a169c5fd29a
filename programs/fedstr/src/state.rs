//! Account layouts.
//!
//! Every account is `[8-byte Anchor discriminator][repr(C) body]`, where the
//! discriminator is `sha256("account:<Name>")[..8]`. Bodies are laid out so
//! that `repr(C)` inserts no padding (explicit `padding`/`reserved` fields),
//! which makes the bytes identical to the Borsh encoding that
//! `@coral-xyz/anchor` uses to decode the account from the IDL. Account data
//! starts 8-byte aligned in the runtime input buffer, so bodies are read
//! zero-copy.

use crate::discriminators as disc;
use crate::errors::FedstrError;
use pinocchio::{AccountView, Address};

pub const POOL_SEED: &[u8] = b"pool";
pub const ESCROW_SEED: &[u8] = b"escrow";
pub const STAKE_VAULT_SEED: &[u8] = b"stake_vault";
pub const PARTICIPANT_SEED: &[u8] = b"participant";
pub const COMMITMENT_SEED: &[u8] = b"commitment";
pub const ROUND_SEED: &[u8] = b"round";

/// Upper bound on `num_rounds` (the claim bitmap has one bit per round).
pub const MAX_ROUNDS: u32 = 256;
/// Upper bound on the Merkle proof length accepted by `claim_reward`.
pub const MAX_PROOF_LEN: usize = 32;
/// Basis-point denominator for `slash_limit_bps`.
pub const BPS: u64 = 10_000;

/// Schedule bounds checked by `create_pool` (seconds). Short enough that a
/// typo cannot lock stakes for a lifetime, loose enough for 5 s demo rounds.
pub const MIN_ROUND_DURATION: i64 = 5;
pub const MAX_ROUND_DURATION: i64 = 30 * 86_400;
/// The join deadline lies in `(now, now + MAX_JOIN_WINDOW]`.
pub const MAX_JOIN_WINDOW: i64 = 365 * 86_400;
pub const MAX_GRACE_PERIOD: i64 = 30 * 86_400;
pub const MIN_CLAIM_WINDOW: i64 = 60;
pub const MAX_CLAIM_WINDOW: i64 = 365 * 86_400;
/// The end of the claim window after the last round (join deadline + all
/// rounds + grace period + claim window) lies at most this far from now.
pub const MAX_SCHEDULE: i64 = 3 * 365 * 86_400;

/// Pool lifecycle.
pub mod pool_status {
    /// Accepting joins (until the join deadline), commits and round results.
    pub const ACTIVE: u8 = 0;
    /// The last round was posted; claims open for `claim_window` seconds.
    pub const FINISHED: u8 = 1;
    /// Cancelled by the creator before any round was posted.
    pub const CANCELLED: u8 = 2;
    /// The aggregator missed a round deadline by more than `grace_period`.
    pub const EXPIRED: u8 = 3;
    /// Leftover rewards returned to the creator; no more claims.
    pub const FINALIZED: u8 = 4;
}

pub mod participant_status {
    pub const ACTIVE: u8 = 0;
    pub const WITHDRAWN: u8 = 1;
}

/// Common behaviour of program accounts.
pub trait ProgramAccount: Sized {
    const DISCRIMINATOR: [u8; 8];
    const LEN: usize = 8 + core::mem::size_of::<Self>();
}

/// A training pool. PDA `["pool", creator, pool_id u64 LE]`.
#[repr(C)]
#[derive(Clone, Copy)]
pub struct Pool {
    pub creator: Address,
    pub aggregator: Address,
    pub mint: Address,
    /// SPL token account holding the rewards; PDA `["escrow", pool]`, owned by the pool PDA.
    pub escrow: Address,
    /// SPL token account holding the stakes; PDA `["stake_vault", pool]`, owned by the pool PDA.
    pub stake_vault: Address,
    pub pool_id: u64,
    pub min_stake: u64,
    pub round_duration: i64,
    pub join_deadline: i64,
    pub grace_period: i64,
    pub claim_window: i64,
    pub created_at: i64,
    /// When the pool became finished, cancelled or expired (0 while active).
    pub ended_at: i64,
    /// Rewards deposited by the creator plus stakes slashed into the escrow.
    pub total_funded: u64,
    pub total_claimed: u64,
    pub total_refunded: u64,
    /// Sum of the rewards of all posted rounds.
    pub total_allocated: u64,
    /// Sum of the active stakes (= stake vault balance).
    pub total_staked: u64,
    pub total_slashed: u64,
    pub max_participants: u32,
    pub participant_count: u32,
    pub num_rounds: u32,
    pub rounds_posted: u32,
    pub slash_limit_bps: u16,
    pub status: u8,
    pub bump: u8,
    pub escrow_bump: u8,
    pub vault_bump: u8,
    pub padding: [u8; 2],
    pub nostr_job_id: [u8; 32],
    /// Binary CIDv1 of the training plan.
    pub training_plan_cid: [u8; 36],
    pub initial_model_cid: [u8; 36],
    /// Live participant accounts of this pool (joined, not yet closed).
    pub open_participants: u32,
    /// Live round-result accounts of this pool (posted, not yet closed).
    /// `close_pool` is refused while either count is non-zero, so no account
    /// of this pool can outlive it and be picked up by a later pool at the same
    /// address.
    pub open_rounds: u32,
    pub reserved: [u8; 56],
}
const _: () = assert!(core::mem::size_of::<Pool>() == 464);
impl ProgramAccount for Pool {
    const DISCRIMINATOR: [u8; 8] = disc::ACCOUNT_POOL;
}

impl Pool {
    /// Start of round `round` (1-based): the join deadline for round 1, then
    /// back to back every `round_duration` seconds.
    ///
    /// `create_pool` guarantees `join_deadline + num_rounds * round_duration`
    /// fits in an i64, so for `1 <= round <= num_rounds` nothing
    /// overflows; other rounds are rejected (`InvalidRound`).
    pub fn round_start(&self, round: u32) -> Result<i64, FedstrError> {
        if round == 0 || round > self.num_rounds {
            return Err(FedstrError::InvalidRound);
        }
        Ok(self.join_deadline.wrapping_add((round as i64 - 1).wrapping_mul(self.round_duration)))
    }
    /// Commit deadline of round `round` (exclusive).
    pub fn round_deadline(&self, round: u32) -> Result<i64, FedstrError> {
        if round == 0 || round > self.num_rounds {
            return Err(FedstrError::InvalidRound);
        }
        Ok(self.join_deadline.wrapping_add((round as i64).wrapping_mul(self.round_duration)))
    }
    /// Rewards neither allocated to a posted round nor refunded.
    pub fn unallocated(&self) -> Result<u64, FedstrError> {
        self.total_funded
            .checked_sub(self.total_refunded)
            .and_then(|v| v.checked_sub(self.total_allocated))
            .ok_or(FedstrError::ArithmeticOverflow)
    }
    /// Expected escrow balance.
    pub fn escrow_balance(&self) -> Result<u64, FedstrError> {
        self.total_funded
            .checked_sub(self.total_claimed)
            .and_then(|v| v.checked_sub(self.total_refunded))
            .ok_or(FedstrError::ArithmeticOverflow)
    }
}

/// A participant's membership and stake in a pool. PDA `["participant", pool, authority]`.
#[repr(C)]
#[derive(Clone, Copy)]
pub struct Participant {
    pub pool: Address,
    pub authority: Address,
    /// Active stake (initial stake minus slashes, 0 once withdrawn).
    pub stake: u64,
    pub initial_stake: u64,
    pub slashed: u64,
    pub joined_at: i64,
    pub last_committed_round: u32,
    pub commit_count: u32,
    pub status: u8,
    pub bump: u8,
    pub padding: [u8; 2],
    /// Live commitment accounts of this participant; the participant account
    /// cannot be closed while any remain.
    pub open_commitments: u32,
    /// Bit `r-1` set once the reward of round `r` was claimed.
    pub claimed_rounds: [u8; 32],
    /// The participant's Nostr x-only public key (its result events are signed with it).
    pub nostr_pubkey: [u8; 32],
}
const _: () = assert!(core::mem::size_of::<Participant>() == 176);
impl ProgramAccount for Participant {
    const DISCRIMINATOR: [u8; 8] = disc::ACCOUNT_PARTICIPANT;
}

/// A participant's commitment to its model update for one round.
/// PDA `["commitment", pool, authority, round u32 LE]`.
#[repr(C)]
#[derive(Clone, Copy)]
pub struct Commitment {
    pub pool: Address,
    pub authority: Address,
    pub committed_at: i64,
    /// The participant's training sample count (the FedAvg weight).
    pub samples: u64,
    pub round: u32,
    pub bump: u8,
    pub padding: [u8; 3],
    /// sha256 of the update bytes.
    pub update_hash: [u8; 32],
    /// Binary CIDv1 (sha2-256) of the published update.
    pub update_cid: [u8; 36],
    pub reserved: [u8; 4],
}
const _: () = assert!(core::mem::size_of::<Commitment>() == 160);
impl ProgramAccount for Commitment {
    const DISCRIMINATOR: [u8; 8] = disc::ACCOUNT_COMMITMENT;
}

/// The aggregator's result for one round. PDA `["round", pool, round u32 LE]`.
#[repr(C)]
#[derive(Clone, Copy)]
pub struct RoundResult {
    pub pool: Address,
    /// Who paid the rent (the aggregator); receives it back on close.
    pub aggregator: Address,
    pub merkle_root: [u8; 32],
    pub global_model_hash: [u8; 32],
    pub reward: u64,
    pub claimed: u64,
    /// Evaluation metric, fixed point ×1e6 (e.g. accuracy 0.9123 → 912300).
    pub metric: i64,
    pub posted_at: i64,
    pub round: u32,
    pub accepted_count: u32,
    pub bump: u8,
    pub padding: [u8; 3],
    pub global_model_cid: [u8; 36],
    /// Binary CIDv1 of the round report (verdicts, rewards, Merkle proofs).
    pub report_cid: [u8; 36],
    /// sha256 of the report bytes.
    pub report_sha256: [u8; 32],
    pub reserved: [u8; 4],
}
const _: () = assert!(core::mem::size_of::<RoundResult>() == 280);
impl ProgramAccount for RoundResult {
    const DISCRIMINATOR: [u8; 8] = disc::ACCOUNT_ROUND_RESULT;
}

/// Checks owner, size and discriminator, then returns a mutable view of the body.
///
/// # Safety
/// The caller must hold no other view of the same account's data while the
/// returned one is used. The handlers keep to this by loading each account
/// type at most once per instruction: the discriminator check then makes two
/// loaded views two different accounts.
#[inline(always)]
pub unsafe fn load_mut<T: ProgramAccount>(
    account: &AccountView,
    program_id: &Address,
) -> Result<&'static mut T, FedstrError> {
    if !account.owned_by(program_id) {
        return Err(FedstrError::InvalidAccountOwner);
    }
    if account.data_len() < T::LEN {
        return Err(FedstrError::InvalidDiscriminator);
    }
    // SAFETY: owner checked (only this program writes these bytes), length
    // checked, account data is 8-byte aligned in the input region and every
    // body is `repr(C)` plain data valid for any bytes; exclusivity is the
    // caller's obligation.
    let data = unsafe { account.borrow_unchecked() };
    if data[..8] != T::DISCRIMINATOR {
        return Err(FedstrError::InvalidDiscriminator);
    }
    Ok(unsafe { &mut *(data.as_ptr().add(8) as *mut T) })
}

/// Writes the discriminator of a freshly created account and returns its body.
///
/// # Safety
/// `account` must have just been created with at least `T::LEN` zeroed bytes
/// owned by this program (`create_pda_account`), and no other view of its data
/// may be live.
#[inline(always)]
pub unsafe fn init_mut<T: ProgramAccount>(account: &AccountView) -> &'static mut T {
    // SAFETY: see the function's contract; the body is 8-byte aligned plain data.
    unsafe {
        let ptr = account.data_ptr() as *mut u8;
        core::ptr::copy_nonoverlapping(T::DISCRIMINATOR.as_ptr(), ptr, 8);
        &mut *(ptr.add(8) as *mut T)
    }
}
