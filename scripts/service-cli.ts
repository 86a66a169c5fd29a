/** What the long-running service commands (relay, IPFS node) share: flag checks and a clean stop. */

/** A --port value (0 = any free port); exits with status 2 and says why otherwise. */
export function portFlag(value: string): number {
  const port = Number(value);
  if (!Number.isInteger(port) || port < 0 || port > 65535) {
    console.error(`--port must be an integer from 0 (any free port) to 65535, got ${JSON.stringify(value)}`);
    process.exit(2);
  }
  return port;
}

/** On SIGINT/SIGTERM, close the service once, then exit 0 (1 if closing failed). */
export function closeOnSignals(close: () => Promise<void>): void {
  let stopping = false;
  const stop = (): void => {
    if (stopping) return;
    stopping = true;
    close().then(
      () => process.exit(0),
      (err: unknown) => {
        console.error(err);
        process.exit(1);
      },
    );
  };
  process.on("SIGINT", stop);
  process.on("SIGTERM", stop);
}
