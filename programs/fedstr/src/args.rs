//! Instruction arguments: a little-endian cursor over the Borsh encoding.

use crate::checks::{err, require, Result};
use crate::errors::FedstrError;
use pinocchio::{error::ProgramError, Address};

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
