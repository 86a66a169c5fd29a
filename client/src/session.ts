/** Opening a session from a command's flags, and closing it whatever happens. */
import { loadConfig } from "@fedstr/sdk/config";
import { configFlags, openSession, type Session } from "@fedstr/sdk/cli";

export async function withSession<T>(values: Record<string, unknown>, fn: (session: Session) => Promise<T>): Promise<T> {
  const session = openSession(loadConfig(configFlags(values)));
  try {
    return await fn(session);
  } finally {
    await session.close();
  }
}
