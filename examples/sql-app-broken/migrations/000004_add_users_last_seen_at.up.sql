ALTER TABLE users ADD COLUMN last_seen_at timestamptz;
CREATE INDEX ix_users_last_seen_at ON users (last_seen_at);
