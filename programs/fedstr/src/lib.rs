//! # fedstr on-chain program
//!
//! Escrowed reward pools for federated learning: an organization creates a
//! pool and deposits SPL-token rewards into a program-owned escrow;
//! participants stake the same token, commit to their model update every
//! round, the pool's aggregator posts each round's result (global model,
//! Merkle root of accepted contributions, metric, reward) and participants
//! claim their reward with a Merkle proof. Stakes can be slashed for provable
//! faults and are withdrawn when the pool ends. Liveness: a pool whose
//! aggregator stops posting can be expired by anyone, and every pool can be
//! finalized so that no funds are ever stuck.
//!
//! Written with pinocchio, Anchor-compatible on the wire: instruction,
//! account and event discriminators are Anchor's (`sha256("global:<ix>")`,
//! `sha256("account:<Name>")`, `sha256("event:<Name>")`, first 8 bytes),
//! arguments and accounts are Borsh, errors are numbered from 6000 and logged
//! as `AnchorError`s, so `@coral-xyz/anchor` drives it from the IDL in
//! `sdk/src/program/fedstr.json`. See `docs/program.md` for the rules of every
//! instruction (also in the doc comment of each `instructions/*.rs`).
//!
//! The interface (accounts, arguments, events, errors, constants) is described
//! once in `programs/fedstr/interface.ts`; `scripts/program-codegen.ts` writes
//! `src/generated/*.rs` and the IDL from it. Hand-written: the handlers
//! (`instructions/`), the account behaviour (`state.rs`) and the helpers
//! (`args`, `checks`, `token`, `pda`, `merkle`, `crypto`, `log`).
//!
//! Invariants (tested by the property test in `tests/program`):
//! - escrow balance = total_funded − total_claimed − total_refunded
//! - stake vault balance = total_staked = Σ active stakes
#![cfg_attr(not(test), no_std)]

pub mod args;
pub mod checks;
pub mod crypto;
pub mod generated;
pub mod instructions;
pub mod log;
pub mod merkle;
pub mod pda;
pub mod state;
pub mod token;

pub use generated::{accounts, constants, discriminators, errors, events, ix};

use pinocchio::{AccountView, Address, ProgramResult};

/// The program id (also in `programs/fedstr/program-id.txt` and the IDL).
pub const ID: Address = Address::from_str_const("HPL8rLF6dDMnKundRabHm7BUGdDdEUUV6vmYpurC3gps");

#[cfg(not(feature = "no-entrypoint"))]
mod entrypoint {
    use super::*;
    pinocchio::program_entrypoint!(process_instruction);
    pinocchio::no_allocator!();

    /// Aborts without formatting the panic message (keeps `core::fmt` out of the binary).
    #[cfg(any(target_os = "solana", target_arch = "bpf"))]
    #[panic_handler]
    fn panic(_info: &core::panic::PanicInfo) -> ! {
        unsafe { pinocchio::syscalls::abort() }
    }
}

/// One instruction's input, passed by reference-sized value to the handlers
/// (the BPF calling convention has only five argument registers).
pub struct Ix<'a> {
    pub program_id: &'a Address,
    pub accounts: &'a mut [AccountView],
    pub data: &'a [u8],
}

/// The program's entry: dispatches on the 8-byte Anchor instruction
/// discriminator (generated, `generated/ix.rs`).
#[inline(always)]
pub fn process_instruction(program_id: &Address, accounts: &mut [AccountView], data: &[u8]) -> ProgramResult {
    ix::dispatch(program_id, accounts, data)
}
