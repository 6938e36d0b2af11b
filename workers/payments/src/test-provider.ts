import { luhnValid, TEST_CARDS } from "#schema/payments.ts";
import { sha256Hex } from "#shared/crypto.ts";
import type {
  AuthorizeAnswer,
  AuthorizeCall,
  CaptureAnswer,
  CaptureCall,
  PaymentProvider,
  RefundAnswer,
  RefundCall,
  VoidAnswer,
  WebhookVerdict,
} from "./provider.ts";

export type TestProviderSettings = { timeoutMs: number; sleep?: (ms: number) => Promise<void> };

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/**
 * The built-in provider: deterministic, no network, no state. It answers by card number (the contract's
 * test cards); its references derive from the idempotency key, so a retry gets the same reference, as it
 * would from a real provider. It keeps no money of its own: our ledger is what stops double movements.
 */
export class TestProvider implements PaymentProvider {
  readonly name = "test" as const;
  readonly accepts = "card" as const;
  private readonly sleep: (ms: number) => Promise<void>;

  constructor(private readonly settings: TestProviderSettings) {
    this.sleep = settings.sleep ?? sleep;
  }

  async authorize(call: AuthorizeCall): Promise<AuthorizeAnswer> {
    if (call.payment.method !== "card")
      return { status: "declined", reason: "invalid_card", message: "the test provider takes card numbers" };
    const { card } = call.payment;
    switch (card.number) {
      case TEST_CARDS.declined:
        return { status: "declined", reason: "card_declined", message: "the card was declined" };
      case TEST_CARDS.insufficientFunds:
        return { status: "declined", reason: "insufficient_funds", message: "the card has insufficient funds" };
      case TEST_CARDS.timesOut:
        // Every time, like a provider that is down: only `unavailable` is ever retried.
        await this.sleep(this.settings.timeoutMs);
        return { status: "unavailable", message: `the test provider did not answer within ${this.settings.timeoutMs} ms` };
    }
    if (!luhnValid(card.number)) return { status: "declined", reason: "invalid_card", message: "the card number is not valid" };
    return { status: "authorized", providerRef: await reference("auth", call.idempotencyKey) };
  }

  async capture(call: CaptureCall): Promise<CaptureAnswer> {
    return { status: "captured", providerRef: await reference("capture", call.idempotencyKey) };
  }

  async void(): Promise<VoidAnswer> {
    return { status: "voided" };
  }

  async refund(call: RefundCall): Promise<RefundAnswer> {
    return { status: "refunded", refundId: await reference("refund", call.idempotencyKey) };
  }

  async verifyWebhook(): Promise<WebhookVerdict> {
    return { ok: false, status: 400, detail: "the test provider sends no webhooks" };
  }
}

const reference = async (kind: string, idempotencyKey: string): Promise<string> =>
  `test_${kind}_${(await sha256Hex(idempotencyKey)).slice(0, 24)}`;
