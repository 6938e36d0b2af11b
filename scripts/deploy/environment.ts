import { existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { z } from "zod";
import { ENVIRONMENTS } from "../../deploy/environments.ts";

// A deployed environment as deploy/environments.ts describes it (what differs from the configs' top level), and the
// D1 ids its deploys found or created (deploy/ids/<env>.json, written by `npm run deploy`, committed).

const VarMap = z.record(z.string().regex(/^[A-Z][A-Z0-9_]*$/, "a var's name is UPPER_SNAKE_CASE"), z.string());
// A wrangler route: a pattern on a zone of the account, or a custom domain (the Worker is its origin).
const Route = z.union([
  z.object({ pattern: z.string().min(1), zone_name: z.string().min(1) }).strict(),
  z.object({ pattern: z.string().min(1), custom_domain: z.literal(true) }).strict(),
]);

const SamplingRate = z.number().min(0, "a sampling rate is 0 to 1").max(1, "a sampling rate is 0 to 1");
const SamplingOnly = z.object({ head_sampling_rate: SamplingRate }).strict();

export const EnvironmentDescription = z
  .object({
    suffix: z.string().regex(/^-[a-z0-9]+$/, "the suffix is a dash and lowercase letters or digits, e.g. -staging"),
    accountId: z
      .string()
      .regex(/^[0-9a-f]{32}$/, "a Cloudflare account id is 32 hex digits")
      .optional(),
    paymentProvider: z.string().optional(),
    rateLimitNamespaceOffset: z.number().int().min(0),
    vars: z.record(z.string(), VarMap).default({}),
    routes: z.record(z.string(), z.array(Route)).default({}),
    // Sampling rates over the configs' [observability] (each 0..1): the whole Worker, or its logs or traces alone.
    observability: z.object({ head_sampling_rate: SamplingRate, logs: SamplingOnly, traces: SamplingOnly }).partial().strict().optional(),
  })
  .strict();
export type EnvironmentInput = z.input<typeof EnvironmentDescription>;
export type Environment = z.output<typeof EnvironmentDescription> & { name: string };

export const ENVIRONMENT_NAMES = Object.keys(ENVIRONMENTS);

export function environment(name: string, all: Readonly<Record<string, EnvironmentInput>> = ENVIRONMENTS): Environment {
  const described = all[name];
  if (described === undefined)
    throw new Error(`no environment '${name}' in deploy/environments.ts (there are ${Object.keys(all).join(", ")})`);
  const parsed = EnvironmentDescription.safeParse(described);
  if (!parsed.success) {
    throw new Error(`deploy/environments.ts, ${name}: ${parsed.error.issues.map((i) => `${i.path.join(".")}: ${i.message}`).join("; ")}`);
  }
  return { ...parsed.data, name };
}

const D1Id = z.string().regex(/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/, "a D1 id is a UUID");
export const RecordedIds = z.object({ d1: z.record(z.string(), D1Id) }).strict();
export type RecordedIds = z.infer<typeof RecordedIds>;

export const idsFile = (idsDir: string, env: string): string => join(idsDir, `${env}.json`);

/** What earlier deploys recorded; nothing when this environment was never deployed. */
export function readIds(idsDir: string, env: string): RecordedIds {
  const file = idsFile(idsDir, env);
  if (!existsSync(file)) return { d1: {} };
  const parsed = RecordedIds.safeParse(JSON.parse(readFileSync(file, "utf8")));
  if (!parsed.success) throw new Error(`${file}: ${parsed.error.issues.map((i) => `${i.path.join(".")}: ${i.message}`).join("; ")}`);
  return parsed.data;
}

export function writeIds(idsDir: string, env: string, ids: RecordedIds): void {
  const file = idsFile(idsDir, env);
  mkdirSync(dirname(file), { recursive: true });
  const sorted = { d1: Object.fromEntries(Object.entries(ids.d1).sort(([a], [b]) => a.localeCompare(b))) };
  writeFileSync(file, `${JSON.stringify(sorted, null, 2)}\n`);
}
