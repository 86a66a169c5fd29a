//! The two cryptographic syscalls the program uses: sha256 and the ed25519
//! curve check (host builds, for unit tests, hash with the `sha2` crate).

use pinocchio::Address;

#[cfg(any(target_os = "solana", target_arch = "bpf"))]
mod sys {
    pub use pinocchio::syscalls::{sol_curve_validate_point, sol_sha256};
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
