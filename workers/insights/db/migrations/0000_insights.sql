CREATE TABLE `merchant_daily` (
	`merchant_id` text NOT NULL,
	`day` text NOT NULL,
	`currency` text NOT NULL,
	`orders` integer NOT NULL,
	`units` integer NOT NULL,
	`revenue` integer NOT NULL,
	PRIMARY KEY(`merchant_id`, `day`, `currency`)
);
--> statement-breakpoint
CREATE TABLE `platform_daily` (
	`day` text PRIMARY KEY NOT NULL,
	`orders` integer DEFAULT 0 NOT NULL,
	`carts` integer DEFAULT 0 NOT NULL
);
--> statement-breakpoint
CREATE TABLE `processed_events` (
	`event_id` text PRIMARY KEY NOT NULL,
	`type` text NOT NULL,
	`processed_at` integer NOT NULL
);
--> statement-breakpoint
CREATE TABLE `product_daily` (
	`product_slug` text NOT NULL,
	`day` text NOT NULL,
	`merchant_id` text NOT NULL,
	`currency` text NOT NULL,
	`title` text NOT NULL,
	`units` integer NOT NULL,
	`revenue` integer NOT NULL,
	PRIMARY KEY(`product_slug`, `day`)
);
--> statement-breakpoint
CREATE INDEX `product_daily_day_idx` ON `product_daily` (`day`);--> statement-breakpoint
CREATE INDEX `product_daily_merchant_idx` ON `product_daily` (`merchant_id`,`day`);--> statement-breakpoint
CREATE TABLE `product_pairs` (
	`product_slug` text NOT NULL,
	`other_slug` text NOT NULL,
	`orders` integer NOT NULL,
	PRIMARY KEY(`product_slug`, `other_slug`)
);
--> statement-breakpoint
CREATE INDEX `product_pairs_rank_idx` ON `product_pairs` (`product_slug`,`orders`);