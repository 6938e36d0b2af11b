-- A SKU names its Inventory object (its stock, holds and movements), so it names one variant for good: a
-- variant that leaves its product is archived, never deleted, and keeps its SKU. The trigger makes the rule
-- the database's own: a write that would hand a SKU to another product, or bring an archived variant back,
-- fails with its whole batch (the catalog answers 409), even when two writers race past the catalog's check.
ALTER TABLE `variants` ADD `archived_at` integer;
--> statement-breakpoint
CREATE TRIGGER `variants_sku_kept` BEFORE UPDATE OF `product_id`, `archived_at` ON `variants`
WHEN new.product_id IS NOT old.product_id OR (old.archived_at IS NOT NULL AND new.archived_at IS NULL)
BEGIN
  SELECT RAISE(ABORT, 'variants.sku is retired or belongs to another product');
END;
