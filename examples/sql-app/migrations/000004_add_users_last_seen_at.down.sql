DROP INDEX ix_users_last_seen_at;
ALTER TABLE users DROP COLUMN last_seen_at;
