import { PublicKey } from "@solana/web3.js";
import { FEDSTR_PROGRAM_ID, SEEDS } from "./constants.js";

const u64le = (v: bigint | number) => {
  const b = Buffer.alloc(8);
  b.writeBigUInt64LE(BigInt(v));
  return b;
};
const u32le = (v: number) => {
  const b = Buffer.alloc(4);
  b.writeUInt32LE(v);
  return b;
};

/** Pool PDA `["pool", creator, pool_id u64 LE]`. */
export function findPoolAddress(creator: PublicKey, poolId: bigint | number, programId = FEDSTR_PROGRAM_ID) {
  return PublicKey.findProgramAddressSync([SEEDS.pool, creator.toBuffer(), u64le(poolId)], programId);
}
/** Reward escrow token account PDA `["escrow", pool]`. */
export function findEscrowAddress(pool: PublicKey, programId = FEDSTR_PROGRAM_ID) {
  return PublicKey.findProgramAddressSync([SEEDS.escrow, pool.toBuffer()], programId);
}
/** Stake vault token account PDA `["stake_vault", pool]`. */
export function findStakeVaultAddress(pool: PublicKey, programId = FEDSTR_PROGRAM_ID) {
  return PublicKey.findProgramAddressSync([SEEDS.stakeVault, pool.toBuffer()], programId);
}
/** Participant state PDA `["participant", pool, wallet]`. */
export function findParticipantAddress(pool: PublicKey, wallet: PublicKey, programId = FEDSTR_PROGRAM_ID) {
  return PublicKey.findProgramAddressSync([SEEDS.participant, pool.toBuffer(), wallet.toBuffer()], programId);
}
/** Commitment PDA `["commitment", pool, wallet, round u32 LE]`. */
export function findCommitmentAddress(pool: PublicKey, wallet: PublicKey, round: number, programId = FEDSTR_PROGRAM_ID) {
  return PublicKey.findProgramAddressSync(
    [SEEDS.commitment, pool.toBuffer(), wallet.toBuffer(), u32le(round)],
    programId,
  );
}
/** Round result PDA `["round", pool, round u32 LE]`. */
export function findRoundAddress(pool: PublicKey, round: number, programId = FEDSTR_PROGRAM_ID) {
  return PublicKey.findProgramAddressSync([SEEDS.round, pool.toBuffer(), u32le(round)], programId);
}
