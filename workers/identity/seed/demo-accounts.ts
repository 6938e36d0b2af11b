import { DEMO_MERCHANTS } from "#schema/demo-merchants.ts";
import type { Role } from "../db/tables.ts";
import { hashPassword } from "../src/passwords.ts";

// Known demo accounts (documented in the README), one per role and one owner per demo merchant.
export const DEMO_PASSWORD = "demo-shop-2026";
export type DemoAccount = { email: string; name: string; role: Role; merchantId: string | null };

export const DEMO_ACCOUNTS: readonly DemoAccount[] = [
  { email: "shopper@demo.edge-commerce.dev", name: "Sam Shopper", role: "shopper", merchantId: null },
  ...DEMO_MERCHANTS.map((m) => ({
    email: `owner@${m.id.replace("mer_", "")}.demo.edge-commerce.dev`,
    name: `${m.name} owner`,
    role: "merchant_owner" as const,
    merchantId: m.id,
  })),
  { email: "admin@demo.edge-commerce.dev", name: "Ada Admin", role: "platform_admin", merchantId: null },
];

type Statement = { bind(...values: unknown[]): Statement; first<T>(): Promise<T | null> };
type Db = { prepare(sql: string): Statement; batch(statements: Statement[]): Promise<{ meta: { changes: number } }[]> };

/** Creates the merchants' organisations and whichever demo accounts are missing; returns how many it made. */
export async function loadDemoAccounts(db: Db): Promise<number> {
  const present = await db.prepare("SELECT count(*) AS n FROM users WHERE id LIKE 'usr_demo%'").first<{ n: number }>();
  if ((present?.n ?? 0) >= DEMO_ACCOUNTS.length) return 0;
  const now = Date.now();
  const organisations = DEMO_MERCHANTS.map((m) =>
    db.prepare("INSERT OR IGNORE INTO organizations (id, name, created_at) VALUES (?, ?, ?)").bind(m.id, m.name, now),
  );
  const accounts = await Promise.all(
    DEMO_ACCOUNTS.map(async (a, i) =>
      db
        .prepare(
          "INSERT OR IGNORE INTO users (id, email_key, email, name, role, merchant_id, password_hash, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
        )
        .bind(`usr_demo${i}`, a.email.toLowerCase(), a.email, a.name, a.role, a.merchantId, await hashPassword(DEMO_PASSWORD), now, now),
    ),
  );
  const results = await db.batch([...organisations, ...accounts]);
  return results.slice(organisations.length).reduce((n, r) => n + r.meta.changes, 0);
}
