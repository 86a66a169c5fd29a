/**
 * Worker thread of `openers.ts`: opens sealed updates with one round key (given as workerData) and
 * sends the plaintext back (its buffer transferred, not copied). Nothing plaintext leaves memory.
 */
import { parentPort, workerData } from "node:worker_threads";
import { roundOpener, SealError } from "@fedstr/sdk/privacy";
import type { OpenReply, OpenRequest } from "./openers.js";

const open = await roundOpener(workerData as Uint8Array);
parentPort!.on("message", async ({ id, sealed, ctx }: OpenRequest) => {
  try {
    const plain = await open(sealed, ctx);
    parentPort!.postMessage({ id, plain } satisfies OpenReply, [plain.buffer as ArrayBuffer]);
  } catch (e) {
    const error = { message: (e as Error).message, ...(e instanceof SealError ? { code: e.code } : {}) };
    parentPort!.postMessage({ id, error } satisfies OpenReply);
  }
});
