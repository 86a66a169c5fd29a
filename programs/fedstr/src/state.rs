//! Program accounts: loading and the rules on their fields. The layouts
//! themselves are generated (`generated/accounts.rs`) and re-exported here with
//! the constants.
//!
//! Every account is `[8-byte Anchor discriminator][repr(C) body]`, where the
//! discriminator is `sha256("account:<Name>")[..8]`. Bodies are laid out so
//! that `repr(C)` inserts no padding (explicit `padding`/`reserved` fields),
//! which makes the bytes identical to the Borsh encoding that
//! `@coral-xyz/anchor` uses to decode the account from the IDL. Account data
//! starts 8-byte aligned in the runtime input buffer, so bodies are read
//! zero-copy.

use crate::errors::FedstrError;
use pinocchio::{AccountView, Address};

pub use crate::accounts::*;
pub use crate::constants::*;

/// Common behaviour of program accounts.
pub trait ProgramAccount: Sized {
    const DISCRIMINATOR: [u8; 8];
    const LEN: usize = 8 + core::mem::size_of::<Self>();
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
