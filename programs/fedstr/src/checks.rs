//! The error plumbing (`Result`, `require`, `err`) and the checks every
//! instruction makes on its accounts and inputs: signers, distinct accounts,
//! program ids, the clock, CIDs and checked arithmetic.

use crate::errors::FedstrError;
use crate::log::log_error;
use pinocchio::{
    error::ProgramError,
    sysvars::{clock::Clock, Sysvar},
    AccountView, Address,
};

pub use crate::token::TOKEN_PROGRAM_ID;

pub type Result<T> = core::result::Result<T, ProgramError>;

pub const SYSTEM_PROGRAM_ID: Address = Address::new_from_array([0u8; 32]);

impl From<FedstrError> for ProgramError {
    #[inline(never)]
    fn from(e: FedstrError) -> Self {
        log_error(e);
        ProgramError::Custom(e as u32)
    }
}

/// Shorthand: `err(FedstrError::X)` as a `Result`.
#[inline(always)]
pub fn err<T>(e: FedstrError) -> Result<T> {
    Err(e.into())
}

#[inline(always)]
pub fn require(cond: bool, e: FedstrError) -> Result<()> {
    if cond {
        Ok(())
    } else {
        err(e)
    }
}

/// Splits the account list into a fixed number of accounts.
#[inline(always)]
pub fn take_accounts<const N: usize>(accounts: &mut [AccountView]) -> Result<&mut [AccountView; N]> {
    if accounts.len() < N {
        return Err(ProgramError::NotEnoughAccountKeys);
    }
    // SAFETY: length checked.
    Ok(unsafe { &mut *(accounts.as_mut_ptr() as *mut [AccountView; N]) })
}

// ------------------------------------------------------------------ checks

#[inline(always)]
pub fn signer(a: &AccountView) -> Result<()> {
    require(a.is_signer(), FedstrError::MissingSignature)
}

/// Rejects the same account being used for two roles.
#[inline(always)]
pub fn distinct(a: &AccountView, b: &AccountView) -> Result<()> {
    require(a.address() != b.address(), FedstrError::DuplicateAccount)
}

#[inline(always)]
pub fn token_program(a: &AccountView) -> Result<()> {
    require(a.address() == &TOKEN_PROGRAM_ID, FedstrError::InvalidProgram)
}

#[inline(always)]
pub fn system_program(a: &AccountView) -> Result<()> {
    require(a.address() == &SYSTEM_PROGRAM_ID, FedstrError::InvalidProgram)
}

pub fn now() -> Result<i64> {
    Ok(Clock::get()?.unix_timestamp)
}

/// Binary CIDv1 with sha2-256: 0x01, codec 0x55 (raw) or 0x70 (dag-pb), 0x12, 0x20, 32-byte digest.
#[inline(always)]
pub fn validate_cid(cid: &[u8; 36]) -> Result<()> {
    require(
        cid[0] == 0x01 && (cid[1] == 0x55 || cid[1] == 0x70) && cid[2] == 0x12 && cid[3] == 0x20,
        FedstrError::InvalidCid,
    )
}

/// Checked add/sub that fail with the named overflow error.
#[inline(always)]
pub fn add(a: u64, b: u64) -> Result<u64> {
    a.checked_add(b).ok_or_else(|| FedstrError::ArithmeticOverflow.into())
}
#[inline(always)]
pub fn sub(a: u64, b: u64) -> Result<u64> {
    a.checked_sub(b).ok_or_else(|| FedstrError::ArithmeticOverflow.into())
}
