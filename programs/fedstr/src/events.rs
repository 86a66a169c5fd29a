//! Events, one per state change, emitted like Anchor's `emit!`: a
//! `Program data: <base64(discriminator || borsh(fields))>` log line. Field
//! lists match the `events`/`types` entries of the IDL
//! (scripts/program-codegen.ts); @coral-xyz/anchor's `EventParser` decodes them.

use crate::discriminators as d;
use crate::log::log_data;
use pinocchio::Address;

/// Fixed-capacity Borsh writer for one event.
pub struct Event {
    data: [u8; 320],
    len: usize,
}

impl Event {
    #[inline(always)]
    pub fn new(discriminator: [u8; 8]) -> Self {
        let mut data = [0u8; 320];
        data[..8].copy_from_slice(&discriminator);
        Self { data, len: 8 }
    }
    #[inline(always)]
    pub fn bytes(mut self, b: &[u8]) -> Self {
        self.data[self.len..self.len + b.len()].copy_from_slice(b);
        self.len += b.len();
        self
    }
    #[inline(always)]
    pub fn key(self, k: &Address) -> Self {
        self.bytes(k.as_ref())
    }
    #[inline(always)]
    pub fn u64(self, v: u64) -> Self {
        self.bytes(&v.to_le_bytes())
    }
    #[inline(always)]
    pub fn i64(self, v: i64) -> Self {
        self.bytes(&v.to_le_bytes())
    }
    #[inline(always)]
    pub fn u32(self, v: u32) -> Self {
        self.bytes(&v.to_le_bytes())
    }
    #[inline(always)]
    pub fn u8(self, v: u8) -> Self {
        self.bytes(&[v])
    }
    #[inline(always)]
    pub fn emit(self) {
        log_data(&self.data[..self.len]);
    }
}

/// `PoolCreated { pool, creator, aggregator, mint, pool_id, reward_amount, min_stake,
/// max_participants, num_rounds, round_duration, join_deadline, nostr_job_id,
/// training_plan_cid, initial_model_cid }`
pub fn pool_created() -> Event {
    Event::new(d::EVENT_POOL_CREATED)
}
/// `PoolFunded { pool, amount, total_funded }`
pub fn pool_funded() -> Event {
    Event::new(d::EVENT_POOL_FUNDED)
}
/// `ParticipantJoined { pool, participant, stake, participant_count, nostr_pubkey }`
pub fn participant_joined() -> Event {
    Event::new(d::EVENT_PARTICIPANT_JOINED)
}
/// `UpdateCommitted { pool, participant, round, update_hash, update_cid, samples }`
pub fn update_committed() -> Event {
    Event::new(d::EVENT_UPDATE_COMMITTED)
}
/// `RoundPosted { pool, round, merkle_root, global_model_hash, global_model_cid, metric,
/// reward, accepted_count, finished, report_cid, report_sha256 }`
pub fn round_posted() -> Event {
    Event::new(d::EVENT_ROUND_POSTED)
}
/// `RewardClaimed { pool, participant, round, weight, amount }`
pub fn reward_claimed() -> Event {
    Event::new(d::EVENT_REWARD_CLAIMED)
}
/// `ParticipantSlashed { pool, participant, round, amount, reason, evidence_cid, remaining_stake }`
pub fn participant_slashed() -> Event {
    Event::new(d::EVENT_PARTICIPANT_SLASHED)
}
/// `StakeWithdrawn { pool, participant, amount }`
pub fn stake_withdrawn() -> Event {
    Event::new(d::EVENT_STAKE_WITHDRAWN)
}
/// `PoolCancelled { pool, refunded }`
pub fn pool_cancelled() -> Event {
    Event::new(d::EVENT_POOL_CANCELLED)
}
/// `PoolExpired { pool, rounds_posted, refunded }`
pub fn pool_expired() -> Event {
    Event::new(d::EVENT_POOL_EXPIRED)
}
/// `PoolFinalized { pool, refunded }`
pub fn pool_finalized() -> Event {
    Event::new(d::EVENT_POOL_FINALIZED)
}
/// `AccountClosed { pool, account, rent_receiver }`
pub fn account_closed() -> Event {
    Event::new(d::EVENT_ACCOUNT_CLOSED)
}
