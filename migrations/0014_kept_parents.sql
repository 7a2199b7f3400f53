-- Parent logins an admin chose to keep (issue 25), to find subaccounts
-- that are not yet projects later, by hand or on a schedule. The login is
-- sealed (vault note bound to the parent's SID); the rest is what the last
-- check found. Times are Unix seconds.
CREATE TABLE kept_parents (
    parent_sid TEXT PRIMARY KEY,
    parent_name TEXT NOT NULL,
    api_key_sid TEXT,
    sealed_login TEXT NOT NULL,
    kept_by TEXT NOT NULL,
    kept_at BIGINT NOT NULL,
    checked_at BIGINT,
    -- Active subaccounts that are not yet projects, at the last check.
    new_count BIGINT,
    check_error TEXT
);
