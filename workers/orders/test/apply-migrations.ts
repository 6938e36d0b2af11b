import { applyD1Migrations, env } from "cloudflare:test";
import { orderShards } from "../src/shards.ts";

for (const shard of orderShards(env)) await applyD1Migrations(shard, env.TEST_MIGRATIONS);
