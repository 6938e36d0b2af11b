import { z } from "zod";
import { configFrom } from "#shared/config.ts";

export const notificationsConfig = configFrom(
  z.object({
    MAIL_TRANSPORT: z.enum(["send_email", "dev-outbox"], { error: "MAIL_TRANSPORT is send_email or dev-outbox" }),
    MAIL_FROM: z.email("MAIL_FROM must be an email address"),
    SHOP_URL: z.url("SHOP_URL must be a URL"),
  }),
);
export type NotificationsConfig = ReturnType<typeof notificationsConfig>;
