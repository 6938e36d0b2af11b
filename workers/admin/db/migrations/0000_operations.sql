CREATE TABLE `dead_letters` (
	`id` text PRIMARY KEY NOT NULL,
	`queue` text NOT NULL,
	`consumer` text,
	`message_id` text NOT NULL,
	`event_id` text,
	`event_type` text,
	`reason` text NOT NULL,
	`attempts` integer,
	`body` text NOT NULL,
	`received_at` integer NOT NULL,
	`replayed_at` integer,
	`replays` integer DEFAULT 0 NOT NULL
);
--> statement-breakpoint
CREATE INDEX `dead_letters_received_idx` ON `dead_letters` (`received_at`);--> statement-breakpoint
CREATE INDEX `dead_letters_event_idx` ON `dead_letters` (`event_id`);