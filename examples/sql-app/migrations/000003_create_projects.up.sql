CREATE TABLE projects (
    id          bigserial PRIMARY KEY,
    org_id      bigint NOT NULL REFERENCES orgs (id) ON DELETE CASCADE,
    owner_id    bigint REFERENCES users (id) ON DELETE SET NULL,
    name        text NOT NULL,
    archived_at timestamptz,
    created_at  timestamptz NOT NULL DEFAULT now()
);

-- The dashboard lists an org's live projects, newest first.
CREATE INDEX ix_projects_org_id_created_at ON projects (org_id, created_at DESC) WHERE archived_at IS NULL;
