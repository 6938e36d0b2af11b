ALTER TABLE `users` ADD `invite_token_hash` text;--> statement-breakpoint
ALTER TABLE `users` ADD `invite_expires_at` integer;--> statement-breakpoint
CREATE UNIQUE INDEX `users_invite_token_uq` ON `users` (`invite_token_hash`);