import { userCartId } from "../../../schema/cart.ts";
import { EVENT_TYPES, parseEvent } from "../../../schema/events.ts";
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
    try {
      await carts.getByName(await userCartId(userId)).erase();
      message.ack();
    } catch (err) {
      log.error("could not erase the cart of an erased user; retrying", { eventId: parsed.event.id, error: String(err) });
      message.retry();
    }
  }
}
