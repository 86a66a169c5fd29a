//! SPL Token accounts: the fields the program reads from them.

use crate::checks::{require, Result};
use crate::errors::FedstrError;
use pinocchio::{AccountView, Address};

pub const TOKEN_PROGRAM_ID: Address = pinocchio_token::ID;
/// Size of an SPL Token account.
pub const TOKEN_ACCOUNT_LEN: usize = 165;

/// Fields of an SPL token account that the program relies on.
pub struct TokenInfo {
    pub mint: Address,
    pub owner: Address,
    pub amount: u64,
}

/// Reads an initialized SPL token account.
#[inline(always)]
pub fn token_account(a: &AccountView) -> Result<TokenInfo> {
    require(a.owned_by(&TOKEN_PROGRAM_ID) && a.data_len() == TOKEN_ACCOUNT_LEN, FedstrError::InvalidTokenAccount)?;
    // SAFETY: read-only copy of plain bytes; no mutable borrow is live.
    let d = unsafe { a.borrow_unchecked() };
    require(d[108] != 0, FedstrError::InvalidTokenAccount)?;
    let mut mint = [0u8; 32];
    mint.copy_from_slice(&d[0..32]);
    let mut owner = [0u8; 32];
    owner.copy_from_slice(&d[32..64]);
    let mut amount = [0u8; 8];
    amount.copy_from_slice(&d[64..72]);
    Ok(TokenInfo {
        mint: Address::new_from_array(mint),
        owner: Address::new_from_array(owner),
        amount: u64::from_le_bytes(amount),
    })
}

/// A token account of the pool mint (any owner).
#[inline(always)]
pub fn token_of_mint(a: &AccountView, mint: &Address) -> Result<TokenInfo> {
    let t = token_account(a)?;
    require(&t.mint == mint, FedstrError::WrongMint)?;
    Ok(t)
}
