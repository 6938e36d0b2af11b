import { userCartId } from "../../../schema/cart.ts";
import { EVENT_TYPES, parseEvent, requestIdOf } from "../../../schema/events.ts";
import type { Logger } from "../../../workers/shared/src/logger.ts";
import type { Cart } from "./cart.ts";

type DeadLetters = { send(body: unknown, options?: { contentType?: "json" }): Promise<unknown> };

/**
 * `identity.user_erased` → the shopper's cart is deleted (its holds released). Deleting a cart that is
 * gone already changes nothing, so a repeated event is harmless without a table of seen ids. A message
 * that is not a valid event goes to the dead-letter queue with the reason; a failure to delete throws
 * for that message only, and the queue retries it (then dead-letters it after max_retries).
 */
export async function consumeIdentityEvents(
  batch: MessageBatch<unknown>,
  carts: DurableObjectNamespace<Cart>,
  deadLetters: DeadLetters,
  log: Logger,
): Promise<void> {
  for (const message of batch.messages) {
    const parsed = parseEvent(message.body);
    if (!parsed.ok) {
      log.warn("dead-lettering a message", { queue: batch.queue, messageId: message.id, reason: parsed.reason });
      await deadLetters.send(
        { queue: batch.queue, messageId: message.id, reason: parsed.reason, body: message.body },
        { contentType: "json" },
      );
      message.ack();
      continue;
    }
    if (parsed.event.type !== EVENT_TYPES.userErased) {
      message.ack();
      continue;
    }
    const { userId } = parsed.event.data as { userId: string };
    // Under the erasure request's id, which the cart logs under too.
    const requestId = requestIdOf(parsed.event);
    const eventLog = log.with({ requestId, eventId: parsed.event.id, type: parsed.event.type });
    try {
      await carts.getByName(await userCartId(userId)).erase({ requestId });
      if (eventLog.enabled("debug")) eventLog.debug("event", { attempt: message.attempts });
      message.ack();
    } catch (err) {
      eventLog.error("could not erase the cart of an erased user; retrying", { error: String(err) });
      message.retry();
    }
  }
}
