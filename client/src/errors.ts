/**
 * A refusal by the client (exit status 1) whose `code` names what was wrong, so scripts can tell
 * an unknown pool from a passed deadline in `{"error": {"name", "message"}}` without parsing text.
 */
export type ClientErrorCode =
  | "UnknownPool"
  | "PoolNotActive"
  | "NotParticipant"
  | "AlreadyJoined"
  | "PoolFull"
  | "DeadlinePassed"
  | "StakeTooLow"
  | "InsufficientBalance"
  | "NoTokenAccount"
  | "JobNotFound"
  | "JobMismatch"
  | "ModelMismatch"
  | "BadInput"
  | "StakeLocked"
  | "NothingToWithdraw"
  | "NotCreator"
  | "CancelNotAllowed"
  | "NotExpirable"
  | "ClaimWindowOpen"
  | "PublishFailed";

export class ClientError extends Error {
  /** A refusal does not change on a retry (see isTransient in @fedstr/sdk/cli). */
  readonly permanent = true;
  constructor(
    readonly code: ClientErrorCode,
    message: string,
  ) {
    super(message);
    this.name = code;
  }
}
