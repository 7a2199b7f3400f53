-- Refresh items are claimed in the order they were queued (Unix seconds),
-- so a project queued early is not passed over, pass after pass, by
-- projects with smaller ids that the schedule queues again meanwhile.
ALTER TABLE refresh_items ADD COLUMN queued_at BIGINT NOT NULL DEFAULT 0;
CREATE INDEX refresh_items_queue ON refresh_items (state, attempts, queued_at);
