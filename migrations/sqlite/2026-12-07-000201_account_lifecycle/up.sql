-- The account lifecycle: verified emails, verified email changes, data exports and deletion.

-- When the customer's current email was proven theirs (a verification link, a confirmed
-- change, or a password reset mailed to it); cleared when the email changes otherwise.
ALTER TABLE customers ADD COLUMN email_verified_at TIMESTAMP;
-- Set when the customer deleted their account: the row stays, anonymised, for the orders the
-- shop keeps for its books.
ALTER TABLE customers ADD COLUMN deleted_at TIMESTAMP;

-- Single-use links mailed about an email address, stored as SHA-256 only. `purpose`:
-- verify_email (the link sent at registration, for `email`), confirm_email_change (sent to the
-- new address `email`), cancel_email_change (sent to the old address). The tokens of one
-- request share `request_id` and are used up together: confirming a change voids its cancel
-- link and the other way round.
CREATE TABLE email_tokens (
    id TEXT PRIMARY KEY NOT NULL,
    customer_id TEXT NOT NULL REFERENCES customers (id) ON DELETE CASCADE,
    purpose TEXT NOT NULL
        CHECK (purpose IN ('verify_email', 'confirm_email_change', 'cancel_email_change')),
    token_hash TEXT NOT NULL,
    email TEXT NOT NULL,
    request_id TEXT NOT NULL,
    expires_at TIMESTAMP NOT NULL,
    used_at TIMESTAMP,
    created_at TIMESTAMP NOT NULL
);
CREATE UNIQUE INDEX email_tokens_token_hash_key ON email_tokens (token_hash);
CREATE INDEX email_tokens_customer_id_idx ON email_tokens (customer_id);
CREATE INDEX email_tokens_request_id_idx ON email_tokens (request_id);

-- A requested export of the customer's data: the mailed download link, single use. The file
-- itself is built when the link is opened, so no copy of the data is kept here.
CREATE TABLE data_exports (
    id TEXT PRIMARY KEY NOT NULL,
    customer_id TEXT NOT NULL REFERENCES customers (id) ON DELETE CASCADE,
    token_hash TEXT NOT NULL,
    expires_at TIMESTAMP NOT NULL,
    used_at TIMESTAMP,
    created_at TIMESTAMP NOT NULL
);
CREATE UNIQUE INDEX data_exports_token_hash_key ON data_exports (token_hash);
CREATE INDEX data_exports_customer_id_idx ON data_exports (customer_id);
