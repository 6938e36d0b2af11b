import { WorkerEntrypoint } from "cloudflare:workers";
import { z } from "zod";
import {
  AdminListRequest,
  type AdminProduct,
  type AdminProductPage,
  ImageKey,
  ImagePatch,
  ProductInput,
  ProductPatch,
  type SkuOwner,
} from "#schema/catalog/admin-dto.ts";
import {
  type CategoryTree,
  ListProductsRequest,
  type ProductDetail,
  type ProductPage,
  type ProductSummary,
  type Purchasable,
  SkuList,
  Slug,
  SlugList,
} from "#schema/catalog/dto.ts";
import {
  type AdminReview,
  REVIEW_STATUSES,
  type Review,
  ReviewAuthor,
  ReviewInput,
  ReviewModeration,
  type ReviewPage,
} from "#schema/catalog/review-dto.ts";
import { scheduledBackup } from "#shared/backup/run.ts";
import { BACKUP_CRON, runCron } from "#shared/cron.ts";
import { consumeEvents, retryPolicy } from "#shared/event-consumer.ts";
import { d1Probe, type HealthReport, healthOnlyFetch, healthReport } from "#shared/health.ts";
import { createLogger, parseLogLevel } from "#shared/logger.ts";
import { parseInput } from "#shared/parse.ts";
import { problem, problemResponse } from "#shared/problem.ts";
import { isQueue } from "#shared/queue-name.ts";
import type { CallContext } from "#shared/request-id.ts";
import { fail, ok, type Result } from "#shared/result.ts";
import { traceRpc } from "#shared/rpc.ts";
import { deleteImage, addImage as storeImage, updateImage } from "./admin/images.ts";
import { adminList, adminProduct, type Scope, skuOwners } from "./admin/read.ts";
import { createProduct, updateProduct } from "./admin/write.ts";
import { categoryTree } from "./categories/tree.ts";
import { type CatalogDb, catalogDb } from "./db.ts";
import { catalogConfig } from "./env.ts";
import { productCards } from "./products/cards.ts";
import { productBySlug } from "./products/detail.ts";
import { listProducts } from "./products/list.ts";
import { purchasables } from "./products/purchasables.ts";
import { forgetAuthorHandlers } from "./reviews/forget-author.ts";
import { createReview, merchantReviews, moderateReview, publishedReviews } from "./reviews/reviews.ts";
import { stockSnapshotHandlers } from "./stock/snapshot-consumer.ts";

const MerchantScope = z.string().min(1).max(64).nullable();

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

  // The merchant side: every call names whose records it may touch (`scope`: a merchant id, or null for a
  // platform admin); another merchant's product answers exactly like a missing one.

  adminListProducts(scope: Scope, query: unknown, call: CallContext): Promise<Result<AdminProductPage>> {
    return this.admin("adminListProducts", call, scope, async (db, s) => {
      const parsed = parseInput(AdminListRequest, query, "query");
      return parsed.ok ? adminList(db, s, parsed.value) : parsed;
    });
  }

  adminGetProduct(scope: Scope, id: string, call: CallContext): Promise<Result<AdminProduct>> {
    return this.admin("adminGetProduct", call, scope, (db, s) => adminProduct(db, s, String(id)));
  }

  createProduct(scope: Scope, body: unknown, call: CallContext): Promise<Result<AdminProduct>> {
    return this.admin("createProduct", call, scope, async (db, s) => {
      const parsed = parseInput(ProductInput, body);
      return parsed.ok ? createProduct(db, s, parsed.value) : parsed;
    });
  }

  updateProduct(scope: Scope, id: string, body: unknown, call: CallContext): Promise<Result<AdminProduct>> {
    return this.admin("updateProduct", call, scope, async (db, s) => {
      const parsed = parseInput(ProductPatch, body);
      return parsed.ok ? updateProduct(db, s, String(id), parsed.value) : parsed;
    });
  }

  addImage(scope: Scope, id: string, bytes: Uint8Array | ArrayBuffer, alt: unknown, call: CallContext): Promise<Result<AdminProduct>> {
    return this.admin("addImage", call, scope, (db, s) => {
      const data = bytes instanceof Uint8Array ? bytes : new Uint8Array(bytes);
      return storeImage(db, this.env.ASSETS, s, String(id), data, typeof alt === "string" ? alt : "");
    });
  }

  updateImage(scope: Scope, id: string, file: string, body: unknown, call: CallContext): Promise<Result<AdminProduct>> {
    return this.admin("updateImage", call, scope, async (db, s) => {
      const parsed = parseInput(ImagePatch, body);
      if (!parsed.ok) return parsed;
      if (!ImageKey.safeParse(file).success) return fail(404, `no image '${String(file)}'`);
      return updateImage(db, s, String(id), file, parsed.value);
    });
  }

  deleteImage(scope: Scope, id: string, file: string, call: CallContext): Promise<Result<AdminProduct>> {
    return this.admin("deleteImage", call, scope, async (db, s) => {
      if (!ImageKey.safeParse(file).success) return fail(404, `no image '${String(file)}'`);
      return deleteImage(db, this.env.ASSETS, s, String(id), file);
    });
  }

  productCards(slugs: unknown, call: CallContext): Promise<Result<Record<string, ProductSummary>>> {
    return this.run("productCards", call, async () => {
      const parsed = parseInput(SlugList, slugs, "slugs");
      return parsed.ok ? ok(await productCards(catalogDb(this.env.DB), parsed.value)) : parsed;
    });
  }

  // Reviews: the storefront has checked the buyer's delivered order before createReview.

  productReviews(slug: unknown, limit: unknown, call: CallContext): Promise<Result<ReviewPage>> {
    return this.run("productReviews", call, async () => {
      const s = Slug.safeParse(slug);
      if (!s.success) return fail(404, `no product with slug '${String(slug)}'`);
      const n = z.number().int().min(1).max(50).safeParse(limit);
      return publishedReviews(catalogDb(this.env.DB), s.data, n.success ? n.data : 20);
    });
  }

  createReview(slug: unknown, author: unknown, body: unknown, call: CallContext): Promise<Result<Review>> {
    return this.run("createReview", call, async () => {
      const s = Slug.safeParse(slug);
      if (!s.success) return fail(404, `no product with slug '${String(slug)}'`);
      const who = parseInput(ReviewAuthor, author, "author");
      if (!who.ok) return who;
      const input = parseInput(ReviewInput, body);
      return input.ok ? createReview(catalogDb(this.env.DB), s.data, who.value, input.value) : input;
    });
  }

  merchantReviews(scope: Scope, status: unknown, call: CallContext): Promise<Result<{ items: AdminReview[] }>> {
    return this.admin("merchantReviews", call, scope, async (db, s) => {
      const parsed = z.enum(REVIEW_STATUSES).optional().safeParse(status);
      return parsed.success
        ? ok({ items: await merchantReviews(db, s, parsed.data) })
        : fail(400, 'status is "published" or "hidden"', "status");
    });
  }

  moderateReview(scope: Scope, id: unknown, status: unknown, call: CallContext): Promise<Result<AdminReview>> {
    return this.admin("moderateReview", call, scope, async (db, s) => {
      const parsed = ReviewModeration.safeParse({ id, status });
      return parsed.success
        ? moderateReview(db, s, parsed.data.id, parsed.data.status)
        : fail(400, 'status is "published" or "hidden"', "status");
    });
  }

  skuOwners(skus: unknown, call: CallContext): Promise<Result<Record<string, SkuOwner>>> {
    return this.run("skuOwners", call, async () => {
      const parsed = parseInput(SkuList, skus, "skus");
      return parsed.ok ? ok(await skuOwners(catalogDb(this.env.DB), parsed.value)) : parsed;
    });
  }

  health(): Promise<HealthReport> {
    return report(this.env);
  }

  private admin<T>(method: string, call: CallContext, scope: unknown, body: (db: CatalogDb, scope: Scope) => Promise<Result<T>>) {
    return this.run(method, call, async () => {
      const parsed = MerchantScope.safeParse(scope);
      if (!parsed.success) return fail<T>(400, "scope is a merchant id or null");
      return body(catalogDb(this.env.DB), parsed.data);
    });
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
    const common = { consumer: "catalog", db: env.DB, deadLetters: env.DEAD_LETTERS, log, ...retryPolicy(env) };
    if (isQueue(batch.queue, "catalog-events")) {
      await consumeEvents(batch, {
        ...common,
        queue: "CATALOG_EVENTS",
        dedupe: "processed-events",
        handlers: forgetAuthorHandlers(catalogDb(env.DB)),
      });
    } else {
      await consumeEvents(batch, {
        ...common,
        queue: "INVENTORY_EVENTS",
        dedupe: "idempotent",
        handlers: stockSnapshotHandlers(catalogDb(env.DB)),
      });
    }
  },
  async scheduled(controller, env) {
    await runCron(controller, {
      // The database and the product images.
      [BACKUP_CRON]: () => scheduledBackup(controller, env, { service: "catalog", database: "catalog", buckets: { assets: env.ASSETS } }),
    });
  },
} satisfies ExportedHandler<CatalogEnv>;
