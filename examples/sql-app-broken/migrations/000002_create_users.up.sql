CREATE TYPE user_role AS ENUM ('owner', 'member', 'viewer');

CREATE TABLE users (
    id         bigserial PRIMARY KEY,
    org_id     bigint NOT NULL REFERENCES orgs (id) ON DELETE CASCADE,
    email      text NOT NULL,
    role       user_role NOT NULL DEFAULT 'member',
    created_at timestamptz NOT NULL DEFAULT now(),
    CONSTRAINT users_email_key UNIQUE (email)
);

CREATE INDEX ix_users_org_id ON users (org_id);
