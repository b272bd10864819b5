CREATE TYPE invoice_status AS ENUM ('draft', 'sent', 'paid');

CREATE TABLE invoices (
    id          bigserial PRIMARY KEY,
    org_id      bigint NOT NULL REFERENCES orgs (id),
    status      invoice_status NOT NULL DEFAULT 'draft',
    total_cents integer NOT NULL CHECK (total_cents >= 0),
    issued_at   timestamptz
);
