CREATE TABLE `order_lines` (
	`order_id` text NOT NULL,
	`line_no` integer NOT NULL,
	`merchant_id` text NOT NULL,
	`kind` text NOT NULL,
	`sku` text NOT NULL,
	`product_slug` text NOT NULL,
	`title` text NOT NULL,
	`quantity` integer NOT NULL,
	`unit_price` integer NOT NULL,
	`line_total` integer NOT NULL,
	`tax` integer NOT NULL,
	`covers_sku` text,
	`plan_id` text,
	`years` integer,
	PRIMARY KEY(`order_id`, `line_no`)
);
--> statement-breakpoint
CREATE TABLE `order_parts` (
	`order_id` text NOT NULL,
	`merchant_id` text NOT NULL,
	`subtotal` integer NOT NULL,
	`shipping` integer NOT NULL,
	`shipping_tax` integer NOT NULL,
	`tax` integer NOT NULL,
	`total` integer NOT NULL,
	PRIMARY KEY(`order_id`, `merchant_id`)
);
--> statement-breakpoint
CREATE INDEX `order_parts_merchant_idx` ON `order_parts` (`merchant_id`,`order_id`);--> statement-breakpoint
CREATE TABLE `order_transitions` (
	`id` text PRIMARY KEY NOT NULL,
	`order_id` text NOT NULL,
	`from_status` text,
	`to_status` text NOT NULL,
	`reason` text NOT NULL,
	`at` integer NOT NULL
);
--> statement-breakpoint
CREATE INDEX `order_transitions_order_idx` ON `order_transitions` (`order_id`,`at`);--> statement-breakpoint
CREATE TABLE `orders` (
	`id` text PRIMARY KEY NOT NULL,
	`user_id` text,
	`token_hash` text,
	`email` text NOT NULL,
	`status` text NOT NULL,
	`currency` text NOT NULL,
	`subtotal` integer NOT NULL,
	`shipping` integer NOT NULL,
	`tax` integer NOT NULL,
	`total` integer NOT NULL,
	`shipping_address` text NOT NULL,
	`payment` text NOT NULL,
	`cart_id` text NOT NULL,
	`created_at` integer NOT NULL,
	`updated_at` integer NOT NULL
);
--> statement-breakpoint
CREATE INDEX `orders_user_idx` ON `orders` (`user_id`,`created_at`);--> statement-breakpoint
CREATE INDEX `orders_status_idx` ON `orders` (`status`,`created_at`);--> statement-breakpoint
CREATE TABLE `outbox` (
	`id` text PRIMARY KEY NOT NULL,
	`body` text NOT NULL,
	`created_at` integer NOT NULL
);
