//! Program-derived accounts: address derivation with a canonical-bump check,
//! creation (robust to pre-funded addresses) and closing.

use crate::checks::{err, require, Result, SYSTEM_PROGRAM_ID};
use crate::crypto::{on_curve, sha256};
use crate::errors::FedstrError;
use pinocchio::{
    cpi::{Seed, Signer},
    error::ProgramError,
    sysvars::{rent::Rent, Sysvar},
    AccountView, Address, ProgramResult,
};

/// The signer seeds of a PDA: its `seeds` (at most 5) followed by `bump`.
/// Returns the array and how many of its entries are used.
#[inline(always)]
pub fn signer_seeds<'a>(seeds: &[&'a [u8]], bump: &'a [u8; 1]) -> ([Seed<'a>; 6], usize) {
    let mut out =
        [Seed::from(bump), Seed::from(bump), Seed::from(bump), Seed::from(bump), Seed::from(bump), Seed::from(bump)];
    let n = seeds.len().min(5);
    for (slot, seed) in out.iter_mut().zip(&seeds[..n]) {
        *slot = Seed::from(*seed);
    }
    (out, n + 1)
}

/// Creates a program-owned PDA account of `space` bytes at the address of
/// `seeds` + `bump`, paid by `payer`. Works even if someone pre-funded the
/// address with lamports; rejects an address that already holds data or
/// belongs to another program.
#[inline(always)]
pub fn create_pda_account(
    payer: &AccountView,
    account: &AccountView,
    seeds: &[&[u8]],
    bump: u8,
    space: usize,
    owner: &Address,
) -> ProgramResult {
    if !account.owned_by(&SYSTEM_PROGRAM_ID) || !account.is_data_empty() {
        return err(FedstrError::AlreadyInitialized);
    }
    let rent = Rent::get()?.try_minimum_balance(space)?;
    let b = [bump];
    let (seeds, n) = signer_seeds(seeds, &b);
    let signer = [Signer::from(&seeds[..n])];
    let current = account.lamports();
    if current == 0 {
        pinocchio_system::instructions::CreateAccount {
            from: payer,
            to: account,
            lamports: rent,
            space: space as u64,
            owner,
        }
        .invoke_signed(&signer)
    } else {
        if current < rent {
            pinocchio_system::instructions::Transfer { from: payer, to: account, lamports: rent - current }.invoke()?;
        }
        pinocchio_system::instructions::Allocate { account, space: space as u64 }.invoke_signed(&signer)?;
        pinocchio_system::instructions::Assign { account, owner }.invoke_signed(&signer)
    }
}

/// Closes a program-owned account: all its lamports (rent plus anything a
/// stranger sent) to `dest`, data zeroed, owner reset.
pub fn close_account(account: &mut AccountView, dest: &mut AccountView) -> ProgramResult {
    let lamports = account.lamports();
    let total = dest.lamports().checked_add(lamports).ok_or(ProgramError::ArithmeticOverflow)?;
    dest.set_lamports(total);
    account.set_lamports(0);
    // SAFETY: no borrows of the account data are live.
    unsafe {
        let data = account.borrow_unchecked_mut();
        data.fill(0);
    }
    account.close()
}

/// PDA derivation for a known bump, without the on-curve check:
/// `sha256(seeds.. || bump || program_id || "ProgramDerivedAddress")`. An
/// on-curve result cannot sign, so the subsequent signed `CreateAccount` fails.
pub fn derive_pda(seeds: &[&[u8]], bump: u8, program_id: &Address) -> Address {
    let b = [bump];
    let mut parts: [&[u8]; 8] = [&[]; 8];
    let n = seeds.len().min(5);
    parts[..n].copy_from_slice(&seeds[..n]);
    parts[n] = &b;
    parts[n + 1] = program_id.as_ref();
    parts[n + 2] = b"ProgramDerivedAddress";
    Address::new_from_array(sha256(&parts[..n + 3]))
}

/// The PDA for `seeds` and `bump`, refusing a non-canonical bump
/// (`InvalidPda`): the bump `find_program_address` returns is the highest
/// whose address is off the curve, so every higher bump must give an on-curve
/// address. Costs a sha256 and a curve check (~250 CU) per higher bump instead
/// of ~1,500 CU per step of a bump search. That `bump` itself is off the curve
/// is checked by the runtime when the program signs with it to create the
/// account.
pub fn canonical_pda(seeds: &[&[u8]], bump: u8, program_id: &Address) -> Result<Address> {
    let key = derive_pda(seeds, bump, program_id);
    let mut higher = bump;
    while higher < u8::MAX {
        higher += 1;
        require(on_curve(&derive_pda(seeds, higher, program_id)), FedstrError::InvalidPda)?;
    }
    Ok(key)
}
