//! The reward tree: leaves and sorted-pair proof verification (the same
//! tree `sdk/src/program/merkle.ts` builds off chain).

use crate::crypto::sha256;
use pinocchio::Address;

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

/// Sorted-pair Merkle verification: node = sha256(0x01 || min(a,b) || max(a,b)).
pub fn verify_merkle(leaf: [u8; 32], proof: &[[u8; 32]], root: &[u8; 32]) -> bool {
    let mut node = leaf;
    for sibling in proof {
        node = if node <= *sibling { sha256(&[&[0x01], &node, sibling]) } else { sha256(&[&[0x01], sibling, &node]) };
    }
    &node == root
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
