import { DurableObject } from "cloudflare:workers";

export type ThrottleCheck = { allowed: true } | { allowed: false; retryAfterSeconds: number };

/**
 * Failed sign-ins for one key (an account or a client IP) in a sliding window. A check comes before the
 * password is verified, so a blocked caller learns nothing and costs nothing; only failures count, so a
 * shopper who signs in correctly is never slowed down. Lives with identity: it is identity's state.
 */
export class LoginThrottle extends DurableObject<IdentityEnv> {
  private failures(windowMs: number, now: number): number[] {
    return (this.ctx.storage.kv.get<number[]>("failures") ?? []).filter((t) => t > now - windowMs);
  }

  check(maxFailures: number, windowMs: number): ThrottleCheck {
    const now = Date.now();
    const recent = this.failures(windowMs, now);
    if (recent.length < maxFailures) return { allowed: true };
    const oldestThatCounts = recent[recent.length - maxFailures] ?? now;
    return { allowed: false, retryAfterSeconds: Math.max(1, Math.ceil((oldestThatCounts + windowMs - now) / 1000)) };
  }

  recordFailure(windowMs: number, keep: number): void {
    const now = Date.now();
    this.ctx.storage.kv.put("failures", [...this.failures(windowMs, now), now].slice(-keep));
  }

  reset(): void {
    this.ctx.storage.kv.delete("failures");
  }
}
