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

/// Payment links (issue 4): where links pay to, the links of each invoice, and the durable outbox
/// of network work. The two partial UNIQUE indexes are the last line of invariant 6: an invoice
/// has at most one live link and at most one create-link intent waiting to be sent.
const V2: &str = r#"
-- One row: the payment destination (a destinationId, the client id's bound destination when
-- both are empty, or the legacy payee + payment currency pair) and the redirect defaults.
CREATE TABLE payment_settings (
    id               INTEGER PRIMARY KEY CHECK (id = 1),
    destination_id   TEXT,
    payee_address    TEXT,
    payment_currency TEXT,
    redirect_url     TEXT,
    redirect_label   TEXT,
    -- 1: send no destination, the client id is bound to one (always allowed in Test mode).
    use_bound_destination INTEGER NOT NULL DEFAULT 0 CHECK (use_bound_destination IN (0, 1)),
    CHECK ((payee_address IS NULL) = (payment_currency IS NULL)),
    CHECK (destination_id IS NULL OR payee_address IS NULL)
) STRICT;

-- Every link an invoice ever had; only one may be live. `request_ids` is a JSON array.
CREATE TABLE payment_links (
    seq                INTEGER PRIMARY KEY,
    invoice_id         TEXT NOT NULL REFERENCES invoices (id) ON DELETE RESTRICT,
    token              TEXT NOT NULL UNIQUE,
    request_ids        TEXT NOT NULL,
    secure_payment_url TEXT NOT NULL,
    created_at         TEXT NOT NULL,
    expires_at         TEXT NOT NULL,
    status             TEXT NOT NULL
                       CHECK (status IN ('live', 'expired', 'void', 'superseded')),
    redirect_url       TEXT,
    redirect_label     TEXT,
    amount             TEXT NOT NULL,
    currency           TEXT NOT NULL,
    outbox_id          TEXT,
    ended_at           TEXT
) STRICT;
CREATE UNIQUE INDEX payment_links_one_live ON payment_links (invoice_id) WHERE status = 'live';
CREATE INDEX payment_links_by_invoice ON payment_links (invoice_id, seq);

-- Network work that must survive restarts. `payload` is the exact request, frozen when the user
-- acted. `next_attempt_at` is when a queued row is due, or when a `sending` row's lease ends.
CREATE TABLE outbox (
    id              TEXT PRIMARY KEY,
    kind            TEXT NOT NULL CHECK (kind IN ('create_link')),
    invoice_id      TEXT NOT NULL REFERENCES invoices (id) ON DELETE RESTRICT,
    payload         TEXT NOT NULL,
    state           TEXT NOT NULL
                    CHECK (state IN ('queued', 'sending', 'done', 'failed', 'cancelled')),
    attempts        INTEGER NOT NULL DEFAULT 0 CHECK (attempts >= 0),
    next_attempt_at TEXT NOT NULL,
    last_error      TEXT,
    created_at      TEXT NOT NULL,
    updated_at      TEXT NOT NULL
) STRICT;
CREATE UNIQUE INDEX outbox_one_pending_link ON outbox (invoice_id)
    WHERE kind = 'create_link' AND state IN ('queued', 'sending');
CREATE INDEX outbox_due ON outbox (state, next_attempt_at);
CREATE INDEX outbox_by_invoice ON outbox (invoice_id, created_at);
"#;

const V3: &str = r#"
-- Paid status (status/ owns the rules): what the API last said about each link, moved forward
-- only. `next_check_at` is when the scheduler polls it next; NULL means never again (paid, void,
-- superseded, expired and confirmed). `verified_at` is the last successful poll.
ALTER TABLE payment_links ADD COLUMN pay_state TEXT NOT NULL DEFAULT 'open'
    CHECK (pay_state IN ('open', 'processing', 'partially_paid', 'paid', 'expired'));
ALTER TABLE payment_links ADD COLUMN paid_amount TEXT;
ALTER TABLE payment_links ADD COLUMN left_amount TEXT;
ALTER TABLE payment_links ADD COLUMN tx_hash TEXT;
ALTER TABLE payment_links ADD COLUMN paid_at TEXT;
ALTER TABLE payment_links ADD COLUMN verified_at TEXT;
ALTER TABLE payment_links ADD COLUMN next_check_at TEXT;
ALTER TABLE payment_links ADD COLUMN checks INTEGER NOT NULL DEFAULT 0 CHECK (checks >= 0);
ALTER TABLE payment_links ADD COLUMN watch_until TEXT;
ALTER TABLE payment_links ADD COLUMN last_error TEXT;
UPDATE payment_links SET next_check_at = created_at WHERE status = 'live';
-- The scheduler's one query reads only links that can still change.
CREATE INDEX payment_links_due ON payment_links (next_check_at)
    WHERE status = 'live' AND next_check_at IS NOT NULL;

-- Every answer about a link (poll, check now, webhook), with its effect: the history that
-- explains an invoice's status. Written in the same transaction as the effect.
CREATE TABLE link_events (
    seq        INTEGER PRIMARY KEY,
    token      TEXT NOT NULL REFERENCES payment_links (token) ON DELETE RESTRICT,
    invoice_id TEXT NOT NULL REFERENCES invoices (id) ON DELETE RESTRICT,
    at         TEXT NOT NULL,
    source     TEXT NOT NULL CHECK (source IN ('poll', 'check', 'webhook', 'system')),
    observed   TEXT NOT NULL CHECK (observed IN ('open', 'processing', 'partially_paid', 'paid',
                                                 'not_payable', 'unknown')),
    detail     TEXT,
    applied    INTEGER NOT NULL CHECK (applied IN (0, 1)),
    pay_state  TEXT NOT NULL
) STRICT;
CREATE INDEX link_events_by_invoice ON link_events (invoice_id, seq);
-- When the invoice became paid (the dashboard's "paid this month / year").
ALTER TABLE invoices ADD COLUMN paid_at TEXT;
CREATE INDEX invoices_paid ON invoices (paid_at) WHERE status = 'paid';
"#;

/// Signed webhooks (webhook/ owns verification and parsing): which link each request id belongs
/// to, and every delivery received, whose primary key makes a redelivery a no-op in the same
/// transaction as its effect (CONTRACT 9.7).
const V4: &str = r#"
-- Webhooks name a request id; this finds its link without scanning request_ids JSON.
CREATE TABLE link_requests (
    request_id TEXT PRIMARY KEY,
    token      TEXT NOT NULL REFERENCES payment_links (token) ON DELETE RESTRICT
) STRICT, WITHOUT ROWID;
CREATE INDEX link_requests_by_token ON link_requests (token);
INSERT OR IGNORE INTO link_requests (request_id, token)
    SELECT j.value, l.token FROM payment_links l, json_each(l.request_ids) j
    WHERE json_valid(l.request_ids) AND j.type = 'text';

-- Every verified delivery (by x-request-network-delivery) and what it did. `outcome`: applied
-- (a payment event reached a link), test, unknown_request, user_event (payer telemetry, shown
-- per invoice), noted (failed/refunded/processing/access rejected: logged, polled), ignored.
CREATE TABLE webhook_deliveries (
    delivery_id TEXT PRIMARY KEY,
    received_at TEXT NOT NULL,
    event       TEXT NOT NULL,
    request_id  TEXT,
    invoice_id  TEXT,
    test        INTEGER NOT NULL CHECK (test IN (0, 1)),
    outcome     TEXT NOT NULL CHECK (outcome IN ('applied', 'test', 'unknown_request',
                                                 'user_event', 'noted', 'ignored')),
    detail      TEXT
) STRICT;
CREATE INDEX webhook_deliveries_by_invoice ON webhook_deliveries (invoice_id, received_at)
    WHERE invoice_id IS NOT NULL;
"#;

/// Contractors and payouts (payouts/ owns the flow): contractors with a pinned payout address and
/// its history; payouts from draft to approval to a hosted payout link, each step in
/// `payout_events`; the payout's own send queue columns (an approved payout is its own outbox
/// row); payout and batch links tracked by the same status engine as invoice links
/// (`tracked_links` is what the scheduler reads).
const V5: &str = r#"
CREATE TABLE contractors (
    id                 TEXT PRIMARY KEY,
    name               TEXT NOT NULL,
    email              TEXT,
    network            TEXT NOT NULL,
    address            TEXT NOT NULL,
    default_currency   TEXT,
    address_changed_at TEXT,
    created_at         TEXT NOT NULL,
    updated_at         TEXT NOT NULL
) STRICT;
CREATE INDEX contractors_by_name ON contractors (name COLLATE NOCASE);

-- Every address a contractor had (the first one too), oldest first.
CREATE TABLE contractor_addresses (
    seq           INTEGER PRIMARY KEY,
    contractor_id TEXT NOT NULL REFERENCES contractors (id) ON DELETE RESTRICT,
    at            TEXT NOT NULL,
    network       TEXT NOT NULL,
    old_address   TEXT,
    new_address   TEXT NOT NULL
) STRICT;
CREATE INDEX contractor_addresses_by_contractor ON contractor_addresses (contractor_id, seq);

-- A batch payout link combining live single payouts on one network.
CREATE TABLE payout_batches (
    id              TEXT PRIMARY KEY,
    network         TEXT NOT NULL,
    state           TEXT NOT NULL CHECK (state IN ('approved', 'live', 'paid', 'expired', 'failed')),
    attempts        INTEGER NOT NULL DEFAULT 0,
    next_attempt_at TEXT,
    last_error      TEXT,
    created_at      TEXT NOT NULL,
    updated_at      TEXT NOT NULL
) STRICT;
CREATE INDEX payout_batches_due ON payout_batches (next_attempt_at) WHERE state = 'approved';

CREATE TABLE payouts (
    id               TEXT PRIMARY KEY,
    seq              INTEGER NOT NULL UNIQUE,
    contractor_id    TEXT NOT NULL REFERENCES contractors (id) ON DELETE RESTRICT,
    state            TEXT NOT NULL CHECK (state IN ('draft', 'approved', 'live', 'paid', 'expired',
                                                    'cancelled', 'failed', 'batched')),
    network          TEXT NOT NULL,
    -- The address approved (NULL while a draft: it follows the contractor).
    address          TEXT,
    currency         TEXT NOT NULL,
    amount           TEXT NOT NULL,
    reference        TEXT,
    memo             TEXT,
    invoice_id       TEXT REFERENCES invoices (id) ON DELETE RESTRICT,
    address_changed  INTEGER NOT NULL DEFAULT 0 CHECK (address_changed IN (0, 1)),
    approved_at      TEXT,
    approved_by      TEXT,
    creator_wallet   TEXT,
    batch_id         TEXT REFERENCES payout_batches (id) ON DELETE RESTRICT,
    -- The send queue: an approved payout is sent when due (a `sending` lease ends at
    -- next_attempt_at too).
    sending          INTEGER NOT NULL DEFAULT 0 CHECK (sending IN (0, 1)),
    attempts         INTEGER NOT NULL DEFAULT 0 CHECK (attempts >= 0),
    next_attempt_at  TEXT,
    message          TEXT,
    tx_hash          TEXT,
    paid_at          TEXT,
    created_at       TEXT NOT NULL,
    updated_at       TEXT NOT NULL,
    CHECK (state = 'draft' OR address IS NOT NULL)
) STRICT;
CREATE INDEX payouts_by_state ON payouts (state, seq);
CREATE INDEX payouts_due ON payouts (next_attempt_at) WHERE state = 'approved';
CREATE INDEX payouts_by_contractor ON payouts (contractor_id, seq);

-- Each step of a payout: who did what, when (the audit history).
CREATE TABLE payout_events (
    seq       INTEGER PRIMARY KEY,
    payout_id TEXT NOT NULL REFERENCES payouts (id) ON DELETE RESTRICT,
    at        TEXT NOT NULL,
    action    TEXT NOT NULL CHECK (action IN ('drafted', 'edited', 'approved', 'link_created',
                  'opened', 'paid', 'expired', 'cancelled', 'failed', 'batched',
                  'address_flagged')),
    actor     TEXT,
    detail    TEXT
) STRICT;
CREATE INDEX payout_events_by_payout ON payout_events (payout_id, seq);

-- The hosted link of a payout (owner_kind 'payout') or of a batch ('batch'), with the same
-- status columns as payment_links.
CREATE TABLE payout_links (
    token              TEXT PRIMARY KEY,
    owner_kind         TEXT NOT NULL CHECK (owner_kind IN ('payout', 'batch')),
    owner_id           TEXT NOT NULL,
    request_ids        TEXT NOT NULL,
    secure_payment_url TEXT NOT NULL,
    created_at         TEXT NOT NULL,
    expires_at         TEXT NOT NULL,
    status             TEXT NOT NULL CHECK (status IN ('live', 'expired', 'void', 'superseded')),
    network            TEXT NOT NULL,
    amount             TEXT NOT NULL,
    currency           TEXT NOT NULL,
    pay_state          TEXT NOT NULL DEFAULT 'open'
                       CHECK (pay_state IN ('open', 'processing', 'partially_paid', 'paid',
                                            'expired')),
    paid_amount        TEXT,
    left_amount        TEXT,
    tx_hash            TEXT,
    paid_at            TEXT,
    verified_at        TEXT,
    next_check_at      TEXT,
    checks             INTEGER NOT NULL DEFAULT 0 CHECK (checks >= 0),
    watch_until        TEXT,
    last_error         TEXT,
    opened_at          TEXT,
    ended_at           TEXT
) STRICT, WITHOUT ROWID;
CREATE UNIQUE INDEX payout_links_one_live ON payout_links (owner_kind, owner_id)
    WHERE status = 'live';
CREATE INDEX payout_links_due ON payout_links (next_check_at)
    WHERE status = 'live' AND next_check_at IS NOT NULL;

-- Every link the status scheduler polls, whoever owns it.
CREATE VIEW tracked_links AS
    SELECT token, 'invoice' AS owner_kind, invoice_id AS owner_id, request_ids, pay_state,
           paid_amount, checks, created_at, expires_at, watch_until, currency, next_check_at,
           status
    FROM payment_links
    UNION ALL
    SELECT token, owner_kind, owner_id, request_ids, pay_state, paid_amount, checks, created_at,
           expires_at, watch_until, currency, next_check_at, status
    FROM payout_links;
"#;

/// Accountant exports and sending: the wallet that paid a link (when a webhook told it) and
/// when an invoice was last sent.
const V6: &str = r#"
ALTER TABLE payment_links ADD COLUMN payer_address TEXT;
ALTER TABLE invoices ADD COLUMN sent_at TEXT;
"#;

/// All migrations, oldest first.
pub fn migrations() -> Migrations<'static> {
    Migrations::new(vec![
        M::up(V1),
        M::up(V2),
        M::up(V3),
        M::up(V4),
        M::up(V5),
        M::up(V6),
    ])
}

#[cfg(test)]
mod tests {
    #[test]
    fn migrations_are_valid() {
        assert!(super::migrations().validate().is_ok());
    }

    #[test]
    fn a_v1_database_with_invoices_upgrades_to_the_latest() {
        use rusqlite_migration::{Migrations, M};
        let mut conn = rusqlite::Connection::open_in_memory().unwrap();
        Migrations::new(vec![M::up(super::V1)])
            .to_latest(&mut conn)
            .unwrap();
        conn.execute_batch(
            "INSERT INTO clients VALUES ('c', 'Acme', '', '', '', '', 't', 't');
             INSERT INTO invoices (id, number, client_id, status, currency, issue_date, due_date,
                 discount_kind, discount_value, notes, terms, subtotal, discount_total, tax_total,
                 total, total_key, created_at, updated_at)
             VALUES ('i', 'INV-1', 'c', 'draft', 'USDC-base', '2026-11-21', '2026-12-21',
                 'percent', '0', '', '', '10', '0', '0', '10', 'k', 't', 't');",
        )
        .unwrap();
        super::migrations().to_latest(&mut conn).unwrap();
        let version: i64 = conn
            .pragma_query_value(None, "user_version", |r| r.get(0))
            .unwrap();
        assert_eq!(version, 6);
        conn.execute(
            "INSERT INTO outbox (id, kind, invoice_id, payload, state, next_attempt_at,
                 created_at, updated_at) VALUES ('o', 'create_link', 'i', '{}', 'queued', 't', 't', 't')",
            [],
        )
        .unwrap();
        // V3: a link starts open, is polled, and its answers go to the event log.
        conn.execute_batch(
            "INSERT INTO payment_links (invoice_id, token, request_ids, secure_payment_url,
                 created_at, expires_at, status, amount, currency)
             VALUES ('i', 'tok', '[]', 'https://x', 't', 't', 'live', '10', 'USDC-base');
             INSERT INTO link_events (token, invoice_id, at, source, observed, applied, pay_state)
             VALUES ('tok', 'i', 't', 'poll', 'open', 0, 'open');",
        )
        .unwrap();
        let state: String = conn
            .query_row("SELECT pay_state FROM payment_links", [], |r| r.get(0))
            .unwrap();
        assert_eq!(state, "open");
    }

    #[test]
    fn v4_indexes_the_request_ids_of_existing_links() {
        use rusqlite_migration::{Migrations, M};
        let mut conn = rusqlite::Connection::open_in_memory().unwrap();
        Migrations::new(vec![M::up(super::V1), M::up(super::V2), M::up(super::V3)])
            .to_latest(&mut conn)
            .unwrap();
        conn.execute_batch(
            "INSERT INTO clients VALUES ('c', 'Acme', '', '', '', '', 't', 't');
             INSERT INTO invoices (id, number, client_id, status, currency, issue_date, due_date,
                 discount_kind, discount_value, notes, terms, subtotal, discount_total, tax_total,
                 total, total_key, created_at, updated_at)
             VALUES ('i', 'INV-1', 'c', 'issued', 'USDC-base', '2026-11-21', '2026-12-21',
                 'percent', '0', '', '', '10', '0', '0', '10', 'k', 't', 't');
             INSERT INTO payment_links (invoice_id, token, request_ids, secure_payment_url,
                 created_at, expires_at, status, amount, currency)
             VALUES ('i', 'tok', '[\"r1\",\"r2\"]', 'https://x', 't', 't', 'live', '10',
                 'USDC-base');",
        )
        .unwrap();
        super::migrations().to_latest(&mut conn).unwrap();
        let rows: Vec<(String, String)> = conn
            .prepare("SELECT request_id, token FROM link_requests ORDER BY request_id")
            .unwrap()
            .query_map([], |r| Ok((r.get(0)?, r.get(1)?)))
            .unwrap()
            .collect::<Result<_, _>>()
            .unwrap();
        assert_eq!(
            rows,
            vec![("r1".into(), "tok".into()), ("r2".into(), "tok".into())]
        );
    }
}
