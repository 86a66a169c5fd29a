//! Program logs: plain messages, Anchor-format event data and Anchor-format
//! error lines (so `@coral-xyz/anchor` reports errors by name).

use crate::errors::FedstrError;

#[cfg(any(target_os = "solana", target_arch = "bpf"))]
mod sys {
    pub use pinocchio::syscalls::{sol_log_, sol_log_data};
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
