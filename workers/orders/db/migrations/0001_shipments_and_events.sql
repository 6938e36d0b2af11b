CREATE TABLE `order_shipments` (
	`id` text PRIMARY KEY NOT NULL,
	`order_id` text NOT NULL,
	`merchant_id` text NOT NULL,
	`status` text NOT NULL,
	`rank` integer NOT NULL,
	`carrier` text,
	`tracking_number` text,
	`updated_at` integer NOT NULL
);
--> statement-breakpoint
CREATE INDEX `order_shipments_order_idx` ON `order_shipments` (`order_id`);--> statement-breakpoint
CREATE TABLE `processed_events` (
	`event_id` text PRIMARY KEY NOT NULL,
	`type` text NOT NULL,
	`processed_at` integer NOT NULL
);
