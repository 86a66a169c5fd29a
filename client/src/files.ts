/** Files the client writes for a person (plans, weights, data shards). */
import { existsSync } from "node:fs";
import { ClientError } from "./errors.js";

/** Refuse to replace files a person may have edited or handed out, unless they said --force. */
export function refuseOverwrite(files: string[]): void {
  const existing = files.filter((f) => existsSync(f));
  if (existing.length > 0)
    throw new ClientError(
      "BadInput",
      `${existing.join(", ")} already ${existing.length === 1 ? "exists" : "exist"} (pass --force to overwrite)`,
    );
}
