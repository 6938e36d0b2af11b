CREATE TABLE `carrier_events` (
	`id` text PRIMARY KEY NOT NULL,
	`received_at` integer NOT NULL
);
--> statement-breakpoint
CREATE TABLE `invoice_counters` (
	`merchant_id` text PRIMARY KEY NOT NULL,
	`last_number` integer NOT NULL
);
--> statement-breakpoint
CREATE TABLE `invoices` (
	`order_id` text NOT NULL,
	`merchant_id` text NOT NULL,
	`number` integer NOT NULL,
	`document_key` text NOT NULL,
	`total` integer NOT NULL,
	`currency` text NOT NULL,
	`issued_at` integer NOT NULL,
	PRIMARY KEY(`order_id`, `merchant_id`)
);
--> statement-breakpoint
CREATE UNIQUE INDEX `invoices_number_idx` ON `invoices` (`merchant_id`,`number`);--> statement-breakpoint
CREATE TABLE `outbox` (
	`id` text PRIMARY KEY NOT NULL,
	`body` text NOT NULL,
	`created_at` integer NOT NULL
);
--> statement-breakpoint
CREATE TABLE `paid_orders` (
	`order_id` text PRIMARY KEY NOT NULL,
	`user_id` text,
	`email` text NOT NULL,
	`currency` text NOT NULL,
	`parts` text NOT NULL,
	`paid_at` integer NOT NULL
);
--> statement-breakpoint
CREATE TABLE `processed_events` (
	`event_id` text PRIMARY KEY NOT NULL,
	`type` text NOT NULL,
	`processed_at` integer NOT NULL
);
--> statement-breakpoint
CREATE TABLE `return_lines` (
	`return_id` text NOT NULL,
	`order_id` text NOT NULL,
	`sku` text NOT NULL,
	`quantity` integer NOT NULL,
	PRIMARY KEY(`return_id`, `sku`)
);
--> statement-breakpoint
CREATE INDEX `return_lines_order_idx` ON `return_lines` (`order_id`,`sku`);--> statement-breakpoint
CREATE TABLE `returns` (
	`id` text PRIMARY KEY NOT NULL,
	`order_id` text NOT NULL,
	`merchant_id` text NOT NULL,
	`status` text NOT NULL,
	`reason` text NOT NULL,
	`refund_amount` integer,
	`currency` text NOT NULL,
	`refund_id` text,
	`created_at` integer NOT NULL,
	`updated_at` integer NOT NULL
);
--> statement-breakpoint
CREATE INDEX `returns_merchant_idx` ON `returns` (`merchant_id`,`status`,`created_at`);--> statement-breakpoint
CREATE INDEX `returns_order_idx` ON `returns` (`order_id`);--> statement-breakpoint
CREATE TABLE `shipments` (
	`id` text PRIMARY KEY NOT NULL,
	`order_id` text NOT NULL,
	`merchant_id` text NOT NULL,
	`status` text NOT NULL,
	`carrier` text,
	`tracking_number` text,
	`created_at` integer NOT NULL,
	`packed_at` integer,
	`shipped_at` integer,
	`delivered_at` integer
);
--> statement-breakpoint
CREATE UNIQUE INDEX `shipments_part_idx` ON `shipments` (`order_id`,`merchant_id`);--> statement-breakpoint
CREATE INDEX `shipments_merchant_idx` ON `shipments` (`merchant_id`,`status`,`created_at`);--> statement-breakpoint
CREATE INDEX `shipments_tracking_idx` ON `shipments` (`carrier`,`tracking_number`);