import type { D1Migration } from "@cloudflare/vitest-plugin";

declare global {
  namespace Cloudflare {
    interface Env extends InsightsEnv {
      TEST_MIGRATIONS: D1Migration[];
    }
  }
}
