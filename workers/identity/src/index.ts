import { WorkerEntrypoint } from "cloudflare:workers";
import type { EVENT_TYPES, ProducersFor } from "#schema/events.ts";
import { RefreshBody, type Session, type User, type VerificationKeys } from "#schema/identity/dto.ts";
import type { Invitation, Member, NewMerchant, Standing } from "#schema/identity/staff-dto.ts";
import { scheduledBackup } from "#shared/backup/run.ts";
import { clientKey } from "#shared/client.ts";
import { BACKUP_CRON, EVERY_MINUTE, runCron } from "#shared/cron.ts";
import { sha256Hex } from "#shared/crypto.ts";
import { d1Db } from "#shared/d1.ts";
import { d1Probe, type HealthReport, healthOnlyFetch, healthReport } from "#shared/health.ts";
import { createLogger, errorFields, parseLogLevel } from "#shared/logger.ts";
import { d1Outbox, flushOutbox } from "#shared/outbox.ts";
import { parseInput } from "#shared/parse.ts";
import { problem, problemResponse } from "#shared/problem.ts";
import type { CallContext } from "#shared/request-id.ts";
import { fail, ok, type Result } from "#shared/result.ts";
import { traceRpc } from "#shared/rpc.ts";
import { emailKey, erase, exportData, type IdentityExport, login, me, register } from "./accounts.ts";
import { identityConfig, sessionSettings } from "./config.ts";
import { verificationKeys } from "./keys.ts";
import { logout, rotate } from "./sessions.ts";
import { acceptInvite, createMerchant, inviteMember, listMembers, merchantName, removeMember, setRole, standing } from "./staff.ts";

export { LoginThrottle } from "./throttle.ts";

/** Who calls, as the edge saw them: the client's address feeds the per-client sign-in throttle. */
export type EdgeCall = CallContext & { clientIp?: string | undefined };

/**
 * Identity's RPC surface (bound as IDENTITY by the edge Workers). It owns the `identity` database; nothing
 * else reads it. Expected failures come back as problem results; arguments are parsed here again.
 */
export class IdentityService extends WorkerEntrypoint<IdentityEnv> {
  private get db() {
    return d1Db(this.env.DB);
  }

  register(body: unknown, call: EdgeCall): Promise<Result<Session>> {
    return this.run("register", call, () => register(this.db, identityConfig(this.env), body));
  }

  login(body: unknown, call: EdgeCall): Promise<Result<Session>> {
    return this.run("login", call, async () => {
      const email = typeof body === "object" && body !== null && "email" in body ? String(body.email) : "";
      const client = clientKey(call.clientIp);
      const throttles = {
        client,
        call: { requestId: call.requestId },
        // Named by a hash of the address, not the address: the runtime keeps an object's name beside its storage
        // (and its alarm), which would outlive the account's erasure for a window.
        account: this.env.LOGIN_THROTTLE.getByName(`account:${await sha256Hex(emailKey(email))}`),
        byClient: this.env.LOGIN_THROTTLE.getByName(`client:${client}`),
      };
      return login(this.db, identityConfig(this.env), body, throttles);
    });
  }

  refresh(body: unknown, call: EdgeCall): Promise<Result<Session>> {
    return this.run("refresh", call, async () => {
      const parsed = parseInput(RefreshBody, body);
      if (!parsed.ok) return parsed;
      const rotation = await rotate(this.db, sessionSettings(identityConfig(this.env)), parsed.value.refreshToken);
      if (rotation.ok) return ok(rotation.session);
      const why = {
        unknown: "the refresh token is not valid",
        expired: "the refresh token has expired; sign in again",
        reused: "the refresh token was already used; every session of its family is now signed out",
      };
      return fail(401, why[rotation.reason]);
    });
  }

  logout(body: unknown, call: EdgeCall): Promise<Result<null>> {
    return this.run("logout", call, async () => {
      const parsed = parseInput(RefreshBody, body);
      if (!parsed.ok) return parsed;
      await logout(this.db, parsed.value.refreshToken);
      return ok(null);
    });
  }

  me(userId: string, call: EdgeCall): Promise<Result<User>> {
    return this.run("me", call, () => me(this.db, userId));
  }

  erase(userId: string, call: EdgeCall): Promise<Result<null>> {
    return this.run("erase", call, () => erase(this.db, userId, () => this.flush(call), call.requestId));
  }

  exportData(userId: string, call: EdgeCall): Promise<Result<IdentityExport>> {
    return this.run("exportData", call, () => exportData(this.db, userId));
  }

  // A merchant's people. The admin Worker passes the merchant from the caller's verified token and checks that
  // the caller is its owner (or a platform admin); identity checks the member belongs to that merchant.

  inviteMember(merchantId: string, body: unknown, call: EdgeCall): Promise<Result<Invitation>> {
    return this.run("inviteMember", call, () => inviteMember(this.db, merchantId, body));
  }

  listMembers(merchantId: string, call: EdgeCall): Promise<Result<{ items: Member[] }>> {
    return this.run("listMembers", call, () => listMembers(this.db, merchantId));
  }

  setMemberRole(merchantId: string, userId: string, body: unknown, call: EdgeCall): Promise<Result<Member>> {
    return this.run("setMemberRole", call, () => setRole(this.db, merchantId, userId, body));
  }

  removeMember(merchantId: string, userId: string, call: EdgeCall): Promise<Result<null>> {
    return this.run("removeMember", call, () => removeMember(this.db, merchantId, userId));
  }

  acceptInvite(body: unknown, call: EdgeCall): Promise<Result<Session>> {
    return this.run("acceptInvite", call, () => acceptInvite(this.db, identityConfig(this.env), body));
  }

  /** The caller's role and merchant as they are now: the admin Worker checks every access token against it. */
  standing(userId: string, call: EdgeCall): Promise<Result<Standing>> {
    return this.run("standing", call, () => standing(this.db, String(userId)));
  }

  merchantName(merchantId: string, call: EdgeCall): Promise<Result<string>> {
    return this.run("merchantName", call, () => merchantName(this.db, String(merchantId)));
  }

  createMerchant(body: unknown, call: EdgeCall): Promise<Result<NewMerchant>> {
    return this.run("createMerchant", call, () => createMerchant(this.db, body));
  }

  /** The public half of every signing key, with the issuer and audience tokens must carry. */
  async verificationKeys(): Promise<VerificationKeys> {
    return verificationKeys(sessionSettings(identityConfig(this.env)));
  }

  /**
   * Sends what identity's outbox holds. A failure is logged, not thrown: the state change it announces is
   * done and durable, and the row waits for the next flush (the next erase, or the cron).
   */
  private async flush(call?: CallContext): Promise<number> {
    try {
      return await flushOutbox(d1Outbox(this.env.DB), eventQueues(this.env));
    } catch (err) {
      createLogger("identity", parseLogLevel(this.env.LOG_LEVEL), { requestId: call?.requestId }).warn(
        "outbox not flushed; will retry",
        errorFields(err),
      );
      return 0;
    }
  }

  health(): Promise<HealthReport> {
    return report(this.env);
  }

  private run<T>(method: string, call: CallContext, body: () => Promise<Result<T>>): Promise<Result<T>> {
    return traceRpc("identity", this.env.LOG_LEVEL, call, method, body);
  }
}

/** Identity sends only `identity.user_erased`; its env must bind every queue the event is routed to. */
const eventQueues = (env: IdentityEnv): ProducersFor<typeof EVENT_TYPES.userErased> => env;

const report = (env: IdentityEnv): Promise<HealthReport> => healthReport("identity", { d1: d1Probe(env.DB) });

export default {
  fetch: healthOnlyFetch(report, () => problemResponse(problem(404, "identity is reached through the storefront and admin Workers"))),
  async scheduled(controller, env) {
    await runCron(controller, {
      // The outbox's backstop: whatever a failed send left behind goes out within a minute.
      [EVERY_MINUTE]: () => flushOutbox(d1Outbox(env.DB), eventQueues(env)),
      [BACKUP_CRON]: () => scheduledBackup(controller, env, { service: "identity", database: "identity" }),
    });
  },
} satisfies ExportedHandler<IdentityEnv>;
