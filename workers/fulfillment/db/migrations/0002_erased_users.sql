CREATE TABLE `erased_users` (
	`user_id` text PRIMARY KEY NOT NULL,
	`erased_at` integer NOT NULL
);
--> statement-breakpoint
CREATE INDEX `paid_orders_user_idx` ON `paid_orders` (`user_id`);