CREATE TABLE orgs (
    id         bigserial PRIMARY KEY,
    slug       text NOT NULL UNIQUE,
    name       text NOT NULL,
    created_at timestamptz NOT NULL DEFAULT now()
);

INSERT INTO orgs (slug, name) VALUES ('internal', 'Internal');
