/** Files the commands keep (checkpoints, state, reports) and must never leave half-written. */
import { closeSync, fsyncSync, mkdirSync, openSync, renameSync, writeSync } from "node:fs";
import { dirname } from "node:path";

/**
 * Write `bytes` to `path` atomically and durably: a temporary file beside it, fsync, rename over
 * `path`, fsync of the directory. A crash at any moment leaves the old file or the new one, never
 * half of one (a leftover temporary file is harmless). Creates the directory; the file is 0600.
 */
export function writeFileAtomic(path: string, bytes: string | Uint8Array): void {
  const dir = dirname(path);
  mkdirSync(dir, { recursive: true });
  const tmp = `${path}.tmp-${process.pid}`;
  const fd = openSync(tmp, "w", 0o600);
  try {
    const buf = typeof bytes === "string" ? Buffer.from(bytes) : bytes;
    let off = 0;
    while (off < buf.length) off += writeSync(fd, buf, off, buf.length - off);
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
  renameSync(tmp, path);
  const dfd = openSync(dir, "r");
  try {
    fsyncSync(dfd);
  } finally {
    closeSync(dfd);
  }
}
