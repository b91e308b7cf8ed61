//! The schema, as versioned migrations (`PRAGMA user_version`). Never edit a released migration:
//! append a new one.

use rusqlite_migration::{Migrations, M};

const V1: &str = r#"
CREATE TABLE settings (
    key   TEXT PRIMARY KEY,
    value TEXT NOT NULL
) STRICT;

CREATE TABLE business_profile (
    id      INTEGER PRIMARY KEY CHECK (id = 1),
    name    TEXT NOT NULL,
    email   TEXT NOT NULL,
    address TEXT NOT NULL,
    tax_id  TEXT NOT NULL
) STRICT;

CREATE TABLE clients (
    id         TEXT PRIMARY KEY,
    name       TEXT NOT NULL CHECK (length(trim(name)) > 0),
    email      TEXT NOT NULL,
    address    TEXT NOT NULL,
    tax_id     TEXT NOT NULL,
    notes      TEXT NOT NULL,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL
) STRICT;
CREATE INDEX clients_by_name ON clients (name COLLATE NOCASE);

-- One counter per number scope (the pattern with its date tokens filled in). Counters only grow.
CREATE TABLE number_sequences (
    scope TEXT PRIMARY KEY,
    last  INTEGER NOT NULL CHECK (last >= 0)
) STRICT;

-- Invoices are never deleted (void keeps the number), so UNIQUE(number) means never reused.
CREATE TABLE invoices (
    seq                INTEGER PRIMARY KEY,
    id                 TEXT NOT NULL UNIQUE,
    number             TEXT NOT NULL UNIQUE,
    client_id          TEXT NOT NULL REFERENCES clients (id) ON DELETE RESTRICT,
    status             TEXT NOT NULL
                       CHECK (status IN ('draft', 'issued', 'partially_paid', 'paid', 'expired', 'void')),
    currency           TEXT NOT NULL,
    issue_date         TEXT NOT NULL,
    due_date           TEXT NOT NULL,
    payment_terms_days INTEGER,
    discount_kind      TEXT NOT NULL CHECK (discount_kind IN ('percent', 'amount')),
    discount_value     TEXT NOT NULL,
    notes              TEXT NOT NULL,
    terms              TEXT NOT NULL,
    subtotal           TEXT NOT NULL,
    discount_total     TEXT NOT NULL,
    tax_total          TEXT NOT NULL,
    total              TEXT NOT NULL,
    -- Zero-padded total so text order equals numeric order (sorting without floats).
    total_key          TEXT NOT NULL,
    created_at         TEXT NOT NULL,
    updated_at         TEXT NOT NULL,
    voided_at          TEXT
) STRICT;
CREATE INDEX invoices_by_status_due ON invoices (status, due_date, seq);
CREATE INDEX invoices_by_due ON invoices (due_date, seq);
CREATE INDEX invoices_by_issue ON invoices (issue_date, seq);
CREATE INDEX invoices_by_client ON invoices (client_id, due_date);
CREATE INDEX invoices_by_total ON invoices (total_key, seq);

CREATE TABLE invoice_lines (
    invoice_id  TEXT NOT NULL REFERENCES invoices (id) ON DELETE CASCADE,
    position    INTEGER NOT NULL,
    description TEXT NOT NULL,
    quantity    TEXT NOT NULL,
    unit_price  TEXT NOT NULL,
    tax_rate    TEXT NOT NULL,
    discount    TEXT NOT NULL,
    PRIMARY KEY (invoice_id, position)
) STRICT, WITHOUT ROWID;

-- Substring search over invoice numbers (trigram index; rowid = invoices.seq). Client names are
-- searched in `clients`, which is small, and joined through invoices_by_client.
CREATE VIRTUAL TABLE invoice_numbers USING fts5 (number, tokenize = 'trigram');

CREATE TRIGGER invoices_number_insert AFTER INSERT ON invoices BEGIN
    INSERT INTO invoice_numbers (rowid, number) VALUES (new.seq, new.number);
END;
CREATE TRIGGER invoices_number_update AFTER UPDATE OF number ON invoices BEGIN
    UPDATE invoice_numbers SET number = new.number WHERE rowid = old.seq;
END;
"#;

/// All migrations, oldest first.
pub fn migrations() -> Migrations<'static> {
    Migrations::new(vec![M::up(V1)])
}

#[cfg(test)]
mod tests {
    #[test]
    fn migrations_are_valid() {
        assert!(super::migrations().validate().is_ok());
    }
}
