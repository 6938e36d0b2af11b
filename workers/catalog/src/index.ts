import { WorkerEntrypoint } from "cloudflare:workers";
import {
  type CategoryTree,
  ListProductsRequest,
  type ProductDetail,
  type ProductPage,
  type Purchasable,
  SkuList,
  Slug,
} from "../../../schema/catalog/dto.ts";
import { d1Probe, type HealthReport, healthOnlyFetch, healthReport } from "../../shared/src/health.ts";
import { createLogger, parseLogLevel } from "../../shared/src/logger.ts";
import { parseInput } from "../../shared/src/parse.ts";
import { problem, problemResponse } from "../../shared/src/problem.ts";
import type { CallContext } from "../../shared/src/request-id.ts";
import { fail, ok, type Result } from "../../shared/src/result.ts";
import { traceRpc } from "../../shared/src/rpc.ts";
import { categoryTree } from "./categories/tree.ts";
import { catalogDb } from "./db.ts";
import { catalogConfig } from "./env.ts";
import { productBySlug } from "./products/detail.ts";
import { listProducts } from "./products/list.ts";
import { purchasables } from "./products/purchasables.ts";
import { consumeInventoryEvents } from "./stock/snapshot-consumer.ts";

/**
 * The catalog's RPC surface for other Workers (bound as CATALOG). Arguments are parsed again here:
 * a Service Binding is a boundary, whoever is on the other side.
 */
export class CatalogService extends WorkerEntrypoint<CatalogEnv> {
  async listProducts(query: unknown, call: CallContext): Promise<Result<ProductPage>> {
    return this.run("listProducts", call, async () => {
      const parsed = parseInput(ListProductsRequest, query, "query");
      if (!parsed.ok) return parsed;
      return listProducts(catalogDb(this.env.DB), catalogConfig(this.env).CURSOR_SECRET, parsed.value);
    });
  }

  async getProduct(slug: unknown, call: CallContext): Promise<Result<ProductDetail>> {
    return this.run("getProduct", call, async () => {
      const parsed = Slug.safeParse(slug);
      if (!parsed.success) return fail(404, `no product with slug '${String(slug)}'`);
      return productBySlug(catalogDb(this.env.DB), parsed.data);
    });
  }

  async getPurchasables(skus: unknown, call: CallContext): Promise<Result<Record<string, Purchasable>>> {
    return this.run("getPurchasables", call, async () => {
      const parsed = parseInput(SkuList, skus, "skus");
      if (!parsed.ok) return parsed;
      return ok(await purchasables(catalogDb(this.env.DB), parsed.value));
    });
  }

  async listCategories(call: CallContext): Promise<Result<CategoryTree>> {
    return this.run("listCategories", call, async () => ok({ items: await categoryTree(catalogDb(this.env.DB)) }));
  }

  health(): Promise<HealthReport> {
    return report(this.env);
  }

  private run<T>(method: string, call: CallContext, body: () => Promise<Result<T>>): Promise<Result<T>> {
    return traceRpc("catalog", this.env.LOG_LEVEL, call, method, body);
  }
}

// The catalog has no public HTTP surface: shoppers reach it through the storefront.
const report = (env: CatalogEnv): Promise<HealthReport> =>
  healthReport("catalog", {
    d1: d1Probe(env.DB),
    assets: async () => {
      await env.ASSETS.head("health-probe");
      return undefined;
    },
  });

export default {
  fetch: healthOnlyFetch(report, () => problemResponse(problem(404, "the catalog is reached through the storefront"))),
  async queue(batch, env, _ctx) {
    const log = createLogger("catalog", parseLogLevel(env.LOG_LEVEL), { queue: batch.queue });
    const applied = await consumeInventoryEvents(catalogDb(env.DB), batch, env.DEAD_LETTERS, log);
    if (log.enabled("debug")) log.debug("stock snapshot updated", { messages: batch.messages.length, skus: applied });
  },
} satisfies ExportedHandler<CatalogEnv>;
