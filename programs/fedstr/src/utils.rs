//! Shared checks and helpers: instruction-data decoding, logging, hashing,
//! CID validation, token-account checks, PDA account creation and closing.

use crate::errors::FedstrError;
use pinocchio::{
    cpi::{Seed, Signer},
    error::ProgramError,
    sysvars::{clock::Clock, rent::Rent, Sysvar},
    AccountView, Address, ProgramResult,
};

pub type Result<T> = core::result::Result<T, ProgramError>;

pub const TOKEN_PROGRAM_ID: Address = pinocchio_token::ID;
pub const SYSTEM_PROGRAM_ID: Address = Address::new_from_array([0u8; 32]);
/// Size of an SPL Token account.
pub const TOKEN_ACCOUNT_LEN: usize = 165;

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

// ---------------------------------------------------------------- syscalls

#[cfg(any(target_os = "solana", target_arch = "bpf"))]
mod sys {
    pub use pinocchio::syscalls::{sol_curve_validate_point, sol_log_, sol_log_data, sol_sha256};
}

/// Logs a UTF-8 message (`Program log: ...`).
#[inline(always)]
pub fn log(msg: &[u8]) {
    #[cfg(any(target_os = "solana", target_arch = "bpf"))]
    unsafe {
        sys::sol_log_(msg.as_ptr(), msg.len() as u64)
    };
    #[cfg(not(any(target_os = "solana", target_arch = "bpf")))]
    let _ = msg;
}

/// Logs `data` as one base64 chunk (`Program data: ...`), the Anchor event format.
#[inline(always)]
pub fn log_data(data: &[u8]) {
    #[cfg(any(target_os = "solana", target_arch = "bpf"))]
    unsafe {
        let slices: [&[u8]; 1] = [data];
        sys::sol_log_data(slices.as_ptr() as *const u8, 1)
    };
    #[cfg(not(any(target_os = "solana", target_arch = "bpf")))]
    let _ = data;
}

/// sha256 over the concatenation of `parts`.
#[inline(always)]
pub fn sha256(parts: &[&[u8]]) -> [u8; 32] {
    #[allow(unused_mut)]
    let mut out = [0u8; 32];
    #[cfg(any(target_os = "solana", target_arch = "bpf"))]
    unsafe {
        sys::sol_sha256(parts.as_ptr() as *const u8, parts.len() as u64, out.as_mut_ptr());
    }
    #[cfg(all(test, not(any(target_os = "solana", target_arch = "bpf"))))]
    {
        use sha2::Digest;
        let mut h = sha2::Sha256::new();
        for p in parts {
            h.update(p);
        }
        out.copy_from_slice(&h.finalize());
    }
    #[cfg(not(any(test, target_os = "solana", target_arch = "bpf")))]
    let _ = parts;
    out
}

/// Reward leaf: sha256(0x00 || pool || round LE || participant || update_hash || weight LE || amount LE).
pub fn reward_leaf(
    pool: &Address,
    round: u32,
    participant: &Address,
    update_hash: &[u8; 32],
    weight: u64,
    amount: u64,
) -> [u8; 32] {
    sha256(&[
        &[0x00],
        pool.as_ref(),
        &round.to_le_bytes(),
        participant.as_ref(),
        update_hash,
        &weight.to_le_bytes(),
        &amount.to_le_bytes(),
    ])
}

struct Buf {
    data: [u8; 256],
    len: usize,
}
impl Buf {
    fn push(&mut self, s: &[u8]) {
        let n = s.len().min(self.data.len() - self.len);
        self.data[self.len..self.len + n].copy_from_slice(&s[..n]);
        self.len += n;
    }
    fn push_u32(&mut self, mut v: u32) {
        let mut digits = [0u8; 10];
        let mut i = digits.len();
        loop {
            i -= 1;
            digits[i] = b'0' + (v % 10) as u8;
            v /= 10;
            if v == 0 {
                break;
            }
        }
        self.push(&digits[i..]);
    }
}

/// Logs the error the way Anchor does, so clients get the error by name.
#[inline(never)]
pub fn log_error(e: FedstrError) {
    let mut b = Buf { data: [0u8; 256], len: 0 };
    b.push(b"AnchorError occurred. Error Code: ");
    b.push(e.name().as_bytes());
    b.push(b". Error Number: ");
    b.push_u32(e as u32);
    b.push(b". Error Message: ");
    b.push(e.message().as_bytes());
    b.push(b".");
    log(&b.data[..b.len]);
}

// ------------------------------------------------------- instruction data

/// Little-endian cursor over the Borsh-encoded instruction arguments.
pub struct Reader<'a> {
    data: &'a [u8],
    pos: usize,
}

impl<'a> Reader<'a> {
    pub fn new(data: &'a [u8]) -> Self {
        Self { data, pos: 0 }
    }
    #[inline(always)]
    pub fn bytes<const N: usize>(&mut self) -> Result<&'a [u8; N]> {
        let end = self.pos.checked_add(N).ok_or(ProgramError::InvalidInstructionData)?;
        match self.data.get(self.pos..end) {
            Some(s) => {
                self.pos = end;
                // SAFETY: `s` has exactly N bytes.
                Ok(unsafe { &*(s.as_ptr() as *const [u8; N]) })
            }
            None => err(FedstrError::InvalidInstructionData),
        }
    }
    pub fn u8(&mut self) -> Result<u8> {
        Ok(self.bytes::<1>()?[0])
    }
    pub fn u16(&mut self) -> Result<u16> {
        Ok(u16::from_le_bytes(*self.bytes::<2>()?))
    }
    pub fn u32(&mut self) -> Result<u32> {
        Ok(u32::from_le_bytes(*self.bytes::<4>()?))
    }
    pub fn u64(&mut self) -> Result<u64> {
        Ok(u64::from_le_bytes(*self.bytes::<8>()?))
    }
    pub fn i64(&mut self) -> Result<i64> {
        Ok(i64::from_le_bytes(*self.bytes::<8>()?))
    }
    pub fn address(&mut self) -> Result<Address> {
        Ok(Address::new_from_array(*self.bytes::<32>()?))
    }
    /// Borsh `Vec<[u8; 32]>`: u32 length then the items.
    pub fn vec32(&mut self, max: usize) -> Result<&'a [[u8; 32]]> {
        let n = self.u32()? as usize;
        if n > max {
            return err(FedstrError::InvalidInstructionData);
        }
        let len = n << 5;
        let end = self.pos.checked_add(len).ok_or(ProgramError::InvalidInstructionData)?;
        match self.data.get(self.pos..end) {
            Some(s) => {
                self.pos = end;
                // SAFETY: length is 32 n, [u8; 32] has alignment 1.
                Ok(unsafe { core::slice::from_raw_parts(s.as_ptr() as *const [u8; 32], n) })
            }
            None => err(FedstrError::InvalidInstructionData),
        }
    }
    /// All bytes consumed (trailing bytes are rejected).
    pub fn finish(&self) -> Result<()> {
        require(self.pos == self.data.len(), FedstrError::InvalidInstructionData)
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

/// Binary CIDv1 with sha2-256: 0x01, codec 0x55 (raw) or 0x70 (dag-pb), 0x12, 0x20, 32-byte digest.
#[inline(always)]
pub fn validate_cid(cid: &[u8; 36]) -> Result<()> {
    require(
        cid[0] == 0x01 && (cid[1] == 0x55 || cid[1] == 0x70) && cid[2] == 0x12 && cid[3] == 0x20,
        FedstrError::InvalidCid,
    )
}

/// Sorted-pair Merkle verification: node = sha256(0x01 || min(a,b) || max(a,b)).
pub fn verify_merkle(leaf: [u8; 32], proof: &[[u8; 32]], root: &[u8; 32]) -> bool {
    let mut node = leaf;
    for sibling in proof {
        node = if node <= *sibling { sha256(&[&[0x01], &node, sibling]) } else { sha256(&[&[0x01], sibling, &node]) };
    }
    &node == root
}

// ------------------------------------------------------ account lifecycle

/// Creates a program-owned PDA account of `space` bytes, paid by `payer`.
/// Works even if someone pre-funded the address with lamports; rejects an
/// address that already holds data or belongs to another program.
#[inline(always)]
pub fn create_pda_account(
    payer: &AccountView,
    account: &AccountView,
    seeds: &[Seed],
    space: usize,
    owner: &Address,
) -> ProgramResult {
    if !account.owned_by(&SYSTEM_PROGRAM_ID) || !account.is_data_empty() {
        return err(FedstrError::AlreadyInitialized);
    }
    let rent = Rent::get()?.try_minimum_balance(space)?;
    let signer = [Signer::from(seeds)];
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

/// Checked add/sub that fail with the named overflow error.
#[inline(always)]
pub fn add(a: u64, b: u64) -> Result<u64> {
    a.checked_add(b).ok_or_else(|| FedstrError::ArithmeticOverflow.into())
}
#[inline(always)]
pub fn sub(a: u64, b: u64) -> Result<u64> {
    a.checked_sub(b).ok_or_else(|| FedstrError::ArithmeticOverflow.into())
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

/// Whether 32 bytes are a point on the ed25519 curve (an address with a
/// private key). Host builds (unit tests only) never call it.
#[inline(always)]
pub fn on_curve(key: &Address) -> bool {
    #[cfg(any(target_os = "solana", target_arch = "bpf"))]
    unsafe {
        let mut result = 0u8;
        sys::sol_curve_validate_point(0, key.as_ref().as_ptr(), &mut result) == 0
    }
    #[cfg(not(any(target_os = "solana", target_arch = "bpf")))]
    {
        let _ = key;
        false
    }
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

#[cfg(test)]
mod tests {
    //! Host check of the shared reward-tree vector (tests/program/vectors/reward-merkle.json),
    //! which the TypeScript builder must reproduce too.
    extern crate std;
    use super::*;
    use std::vec::Vec;

    const VECTOR: &str = include_str!("../../../tests/program/vectors/reward-merkle.json");

    fn hex32(s: &str) -> [u8; 32] {
        let mut out = [0u8; 32];
        for i in 0..32 {
            out[i] = u8::from_str_radix(&s[2 * i..2 * i + 2], 16).unwrap();
        }
        out
    }
    fn field<'a>(s: &'a str, key: &str) -> &'a str {
        let start = s.find(&std::format!("\"{key}\": ")).unwrap() + key.len() + 4;
        let rest = &s[start..];
        let end = rest.find([',', '\n', '}']).unwrap();
        rest[..end].trim().trim_matches('"')
    }

    #[test]
    fn reward_merkle_vector() {
        let pool = Address::new_from_array(hex32(field(VECTOR, "pool")));
        let round: u32 = field(VECTOR, "round").parse().unwrap();
        let root = hex32(field(VECTOR, "root"));
        let leaves: Vec<&str> = VECTOR.split("\"participant\": ").skip(1).collect();
        assert_eq!(leaves.len(), 5);
        for chunk in leaves {
            let chunk = &std::format!("\"participant\": {chunk}");
            let participant = Address::new_from_array(hex32(field(chunk, "participant")));
            let update_hash = hex32(field(chunk, "update_hash"));
            let weight: u64 = field(chunk, "weight").parse().unwrap();
            let reward: u64 = field(chunk, "reward").parse().unwrap();
            let leaf = reward_leaf(&pool, round, &participant, &update_hash, weight, reward);
            assert_eq!(leaf, hex32(field(chunk, "leaf")));
            let p0 = chunk.find("\"proof\": [").unwrap() + 10;
            let p1 = p0 + chunk[p0..].find(']').unwrap();
            let proof: Vec<[u8; 32]> = chunk[p0..p1].split('"').filter(|s| s.len() == 64).map(hex32).collect();
            assert!(verify_merkle(leaf, &proof, &root));
            assert!(!verify_merkle(
                reward_leaf(&pool, round, &participant, &update_hash, weight, reward + 1),
                &proof,
                &root
            ));
        }
    }
}
