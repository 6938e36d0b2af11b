import { ensureDevVars } from "./dev-vars.ts";

// Run before `npm run dev` / `npm run db:migrate`: wrangler reads the local secrets from .dev.vars.
ensureDevVars(process.cwd());
