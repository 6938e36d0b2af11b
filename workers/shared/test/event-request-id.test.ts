import { describe, expect, it } from "vitest";
import { envelope, parseEvent, requestIdOf } from "#schema/events.ts";
import { objectLogger } from "#shared/object-logger.ts";
import { outboxRow } from "#shared/outbox.ts";

const paid = { userId: "usr_1" };

describe("an event's request id", () => {
  it("travels in the envelope and in an outbox row's body", () => {
    const parsed = parseEvent(JSON.parse(outboxRow("identity.user_erased", paid, "req-1").body));
    expect(parsed.ok && parsed.event.requestId).toBe("req-1");
    expect(parsed.ok && requestIdOf(parsed.event)).toBe("req-1");
  });

  it("is read from an old event's traceId, and named after the event when it has none", () => {
    const { requestId: _none, ...old } = envelope("identity.user_erased", paid, undefined, "usr_1:erased");
    const legacy = parseEvent({ ...old, traceId: "req-old" });
    expect(legacy.ok && legacy.event.requestId).toBe("req-old");
    const bare = parseEvent(old);
    expect(bare.ok && bare.event.requestId).toBeUndefined();
    expect(bare.ok && requestIdOf(bare.event)).toBe("event:usr_1:erased");
  });

  it("is dropped, not the event, when it is not plain (nothing hostile reaches a log line or a header)", () => {
    const hostile = parseEvent({ ...envelope("identity.user_erased", paid), requestId: 'x"\n{"level":"error"}' });
    expect(hostile.ok).toBe(true);
    expect(hostile.ok && hostile.event.requestId).toBeUndefined();
  });
});

describe("objectLogger", () => {
  it("logs a Durable Object's call under a plain request id only", () => {
    const lines: string[] = [];
    const log = console.log;
    console.log = (line: string) => void lines.push(line);
    try {
      objectLogger("durable-objects", "Inventory", "debug", { requestId: "req-2" }).debug("object call");
      objectLogger("durable-objects", "Inventory", "debug", { requestId: "bad id\n" }).debug("object call");
    } finally {
      console.log = log;
    }
    const [good, bad] = lines.map((l) => JSON.parse(l) as Record<string, unknown>);
    expect(good).toMatchObject({ service: "durable-objects", object: "Inventory", requestId: "req-2" });
    expect(bad).not.toHaveProperty("requestId");
  });
});
