ALTER TABLE `products` ADD `flash_sale` integer DEFAULT false NOT NULL;--> statement-breakpoint
ALTER TABLE `variants` ADD `stock_seq` integer DEFAULT 0 NOT NULL;