CREATE TABLE `erased_users` (
	`user_id` text PRIMARY KEY NOT NULL,
	`erased_at` integer NOT NULL
);
--> statement-breakpoint
ALTER TABLE `emails` ADD `user_id` text;--> statement-breakpoint
CREATE INDEX `emails_user_idx` ON `emails` (`user_id`);