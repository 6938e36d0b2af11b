import { DurableObject } from "cloudflare:workers";

export type ThrottleLimits = {
  /** Attempts allowed for this key (an account, or a client) within the window, from everyone together. */
  total: number;
  /** Attempts allowed per client within the key (an account guessed from one address); none if absent. */
  perClient?: number;
  windowMs: number;
};
export type ThrottleVerdict = { allowed: true; ticket: string } | { allowed: false; retryAfterSeconds: number };

/**
 * Sign-in attempts for one key (`account:<email>` or `client:<address>`) in a sliding window. An attempt is
 * counted in the same call that checks the count (a Durable Object runs one call's synchronous code at a
 * time), so N parallel guesses see each other and at most the limit get as far as the password hash.
 * A sign-in that succeeds gives its attempt back, so only failures (and attempts still running) count.
 * Lives with identity: it is identity's state.
 */
export class LoginThrottle extends DurableObject<IdentityEnv> {
  // The schema is made on first use, not in the constructor: the alarm deletes everything, tables
  // included, and the same instance may be called again afterwards.
  private schemaMade = false;
  private get sql(): SqlStorage {
    const sql = this.ctx.storage.sql;
    if (!this.schemaMade) {
      sql.exec(`
        CREATE TABLE IF NOT EXISTS attempts (ticket TEXT PRIMARY KEY, client TEXT NOT NULL, at INTEGER NOT NULL);
        CREATE INDEX IF NOT EXISTS attempts_client ON attempts (client, at);
      `);
      this.schemaMade = true;
    }
    return sql;
  }

  async attempt(client: string, limits: ThrottleLimits): Promise<ThrottleVerdict> {
    const now = Date.now();
    const since = now - limits.windowMs;
    this.sql.exec("DELETE FROM attempts WHERE at <= ?", since);
    const refusal =
      this.refusal("SELECT at FROM attempts ORDER BY at DESC LIMIT 1 OFFSET ?", limits.total, limits.windowMs, now) ??
      (limits.perClient === undefined
        ? null
        : this.refusal(
            "SELECT at FROM attempts WHERE client = ? ORDER BY at DESC LIMIT 1 OFFSET ?",
            limits.perClient,
            limits.windowMs,
            now,
            client,
          ));
    if (refusal !== null) return refusal;
    const ticket = crypto.randomUUID();
    this.sql.exec("INSERT INTO attempts (ticket, client, at) VALUES (?, ?, ?)", ticket, client, now);
    // The object forgets everything once the window has passed since the last attempt.
    await this.ctx.storage.setAlarm(now + limits.windowMs);
    return { allowed: true, ticket };
  }

  /** The `limit`-th most recent attempt, if there is one, decides when a slot frees up: the Retry-After. */
  private refusal(query: string, limit: number, windowMs: number, now: number, ...args: string[]): ThrottleVerdict | null {
    const row = this.sql.exec<{ at: number }>(query, ...args, limit - 1).toArray()[0];
    if (row === undefined) return null;
    return { allowed: false, retryAfterSeconds: Math.max(1, Math.ceil((row.at + windowMs - now) / 1000)) };
  }

  /** The attempt succeeded: it stops counting, and so do the client's earlier failures on this key. */
  succeeded(ticket: string, client: string): void {
    this.sql.exec("DELETE FROM attempts WHERE ticket = ? OR client = ?", ticket, client);
  }

  /** The attempt never reached a verdict (another throttle refused it): it stops counting. */
  refund(ticket: string): void {
    this.sql.exec("DELETE FROM attempts WHERE ticket = ?", ticket);
  }

  /** Set a window after the latest attempt: every attempt is spent by now, so the object keeps nothing. */
  override async alarm(): Promise<void> {
    await this.ctx.storage.deleteAll();
    this.schemaMade = false;
  }
}
