-- The audit trail refuses changes in the database itself: rows are only
-- ever added. Entries also keep the staff member's id beside the name
-- shown (names are reused; ids are not), and a change at Twilio is two
-- rows: an attempt written before the call, and its completion naming the
-- attempt. SQLite's version; the PostgreSQL one is
-- 0004_audit_append_only.postgres.sql.

ALTER TABLE audit ADD COLUMN staff_id TEXT;
-- NULL: recorded in one step (done); else 'attempted', 'done', 'failed' or
-- 'unknown' (Twilio's answer was unclear and a check could not tell).
ALTER TABLE audit ADD COLUMN outcome TEXT;
-- On a completion: the id of its attempt.
ALTER TABLE audit ADD COLUMN attempt_id TEXT;
CREATE INDEX audit_attempt ON audit (attempt_id);

CREATE TRIGGER audit_no_update BEFORE UPDATE ON audit
BEGIN
    SELECT RAISE(ABORT, 'the audit trail is append-only: entries cannot be changed');
END;

CREATE TRIGGER audit_no_delete BEFORE DELETE ON audit
BEGIN
    SELECT RAISE(ABORT, 'the audit trail is append-only: entries cannot be deleted');
END;
