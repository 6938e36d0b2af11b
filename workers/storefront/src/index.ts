import { createStorefrontApp } from "./app.ts";

const app = createStorefrontApp();

export default {
  fetch: (request, env, ctx) => app.fetch(request, env, ctx),
} satisfies ExportedHandler<StorefrontEnv>;
