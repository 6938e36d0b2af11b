import { WorkerEntrypoint } from "cloudflare:workers";
import type { Money } from "#schema/money.ts";
import type {
  AuthorizeOutcome,
  CaptureOutcome,
  ChargeOutcome,
  CheckoutPaymentMethod,
  PaymentView,
  RefundOutcome,
  VoidOutcome,
  WebhookDelivery,
  WebhookOutcome,
} from "#schema/payments.ts";
import { scheduledBackup } from "#shared/backup/run.ts";
import { BACKUP_CRON, runCron } from "#shared/cron.ts";
import { d1Probe, type HealthReport, healthOnlyFetch, healthReport } from "#shared/health.ts";
import { createLogger, parseLogLevel } from "#shared/logger.ts";
import { parseInput } from "#shared/parse.ts";
import { problem, problemResponse } from "#shared/problem.ts";
import type { CallContext } from "#shared/request-id.ts";
import { ok, type Result, unwrap } from "#shared/result.ts";
import { traceRpc } from "#shared/rpc.ts";
import { PaymentId } from "./arguments.ts";
import { authorize } from "./authorize.ts";
import { capture } from "./capture.ts";
import { charge } from "./charge.ts";
import { paymentsConfig } from "./config.ts";
import { type CallDeps, findPayment, onShard, toView } from "./db.ts";
import type { Providers } from "./provider.ts";
import { checkoutMethodOf, providersFrom } from "./providers.ts";
import { refund } from "./refund.ts";
import { allPaymentDbs, paymentShards } from "./shards.ts";
import { voidPayment } from "./void-payment.ts";
import { handleWebhook } from "./webhook.ts";

// One set of adapters per env: PayPal's OAuth token lives in its adapter and is reused across calls.
const providerCache = new WeakMap<object, Providers>();
function providersOf(env: PaymentsEnv): Providers {
  let providers = providerCache.get(env);
  if (providers === undefined) {
    providers = providersFrom(paymentsConfig(env), (url, init) => fetch(url, init));
    providerCache.set(env, providers);
  }
  return providers;
}

/**
 * Payments' RPC surface (bound as PAYMENTS by the orders Worker and by the storefront for webhooks). It owns
 * the `payments` database (in shards, by the order id that is each payment's id), the ledger of every money
 * operation; nothing else reads it. Every money call takes the caller's idempotency key: the same key gives the
 * same answer and never moves money twice. Expected failures come back as problem results; arguments are parsed
 * here again.
 */
export class PaymentsService extends WorkerEntrypoint<PaymentsEnv> {
  authorize(req: unknown, call: CallContext): Promise<Result<AuthorizeOutcome>> {
    return this.run("authorize", call, (deps) => authorize(deps, req));
  }

  /** Captures the full authorized amount. */
  capture(paymentId: string, idempotencyKey: string, call: CallContext): Promise<Result<CaptureOutcome>> {
    return this.run("capture", call, (deps) => capture(deps, paymentId, idempotencyKey));
  }

  /**
   * `authorize`, then, if it is authorized, `capture(req.paymentId, captureKey)`: one call for the checkout.
   * Each step records and replays exactly as its own call would; `capture` is null when nothing was captured.
   */
  charge(req: unknown, captureKey: string, call: CallContext): Promise<Result<ChargeOutcome>> {
    return this.run("charge", call, (deps) => charge(deps, req, captureKey));
  }

  /** Releases the authorization; an unknown or never-authorized payment is `voided` with payment null. */
  voidPayment(paymentId: string, idempotencyKey: string, call: CallContext): Promise<Result<VoidOutcome>> {
    return this.run("voidPayment", call, (deps) => voidPayment(deps, paymentId, idempotencyKey));
  }

  /** Refunds part or all of the captured amount; more than is left to refund is `refused`. */
  refund(paymentId: string, idempotencyKey: string, amount: Money, call: CallContext): Promise<Result<RefundOutcome>> {
    return this.run("refund", call, (deps) => refund(deps, paymentId, idempotencyKey, amount));
  }

  getPayment(paymentId: string, call: CallContext): Promise<Result<PaymentView | null>> {
    return this.run("getPayment", call, async (deps) => {
      const parsed = parseInput(PaymentId, paymentId, "paymentId");
      if (!parsed.ok) return parsed;
      const shard = onShard(deps, parsed.value);
      const row = shard === null ? undefined : await findPayment(shard.db, parsed.value);
      return ok(row === undefined ? null : toView(row));
    });
  }

  /** A provider webhook as the storefront received it (raw body and headers: the signature covers them). */
  async webhook(delivery: WebhookDelivery, call: CallContext): Promise<WebhookOutcome> {
    return unwrap(await this.run("webhook", call, async (deps) => ok(await handleWebhook(deps, delivery))));
  }

  /** How shoppers pay here (the method and the provider's public key), for the checkout form and API clients. */
  async checkoutMethod(): Promise<CheckoutPaymentMethod> {
    return checkoutMethodOf(paymentsConfig(this.env));
  }

  health(): Promise<HealthReport> {
    return report(this.env);
  }

  private run<T>(method: string, call: CallContext, body: (deps: CallDeps) => Promise<Result<T>>): Promise<Result<T>> {
    return traceRpc("payments", this.env.LOG_LEVEL, call, method, () =>
      body({
        shards: allPaymentDbs(this.env),
        providers: providersOf(this.env),
        log: createLogger("payments", parseLogLevel(this.env.LOG_LEVEL), { requestId: call?.requestId }),
        now: Date.now,
      }),
    );
  }
}

const report = (env: PaymentsEnv): Promise<HealthReport> => healthReport("payments", { d1: d1Probe(paymentShards(env)) });

export default {
  fetch: healthOnlyFetch(report, () => problemResponse(problem(404, "payments is reached through the orders and storefront Workers"))),
  async scheduled(controller, env) {
    await runCron(controller, { [BACKUP_CRON]: () => scheduledBackup(controller, env, { service: "payments", database: "payments" }) });
  },
} satisfies ExportedHandler<PaymentsEnv>;
