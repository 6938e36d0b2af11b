import { applyD1Migrations, env } from "cloudflare:test";
import { paymentShards } from "../src/shards.ts";

for (const shard of paymentShards(env)) await applyD1Migrations(shard, env.TEST_MIGRATIONS);
