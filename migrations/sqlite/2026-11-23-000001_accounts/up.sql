-- Accounts: customers, their login identities, sessions, password resets, addresses,
-- API keys and the database-backed throttle counters.

CREATE TABLE customers (
    id TEXT PRIMARY KEY NOT NULL,
    email TEXT NOT NULL,
    has_account BOOLEAN NOT NULL DEFAULT 0,
    first_name TEXT,
    last_name TEXT,
    phone TEXT,
    company TEXT,
    accepts_marketing BOOLEAN NOT NULL DEFAULT 0,
    metadata TEXT NOT NULL DEFAULT '{}',
    default_shipping_address_id TEXT REFERENCES addresses (id) ON DELETE SET NULL,
    default_billing_address_id TEXT REFERENCES addresses (id) ON DELETE SET NULL,
    created_at TIMESTAMP NOT NULL,
    updated_at TIMESTAMP NOT NULL
);
-- Emails are stored lower-cased; only one account per email, guests may repeat it.
CREATE UNIQUE INDEX customers_account_email_key ON customers (email) WHERE has_account;
CREATE INDEX customers_email_idx ON customers (email);

CREATE TABLE identities (
    id TEXT PRIMARY KEY NOT NULL,
    provider TEXT NOT NULL,
    email TEXT NOT NULL,
    password_hash TEXT NOT NULL,
    customer_id TEXT REFERENCES customers (id) ON DELETE CASCADE,
    created_at TIMESTAMP NOT NULL,
    updated_at TIMESTAMP NOT NULL
);
CREATE UNIQUE INDEX identities_provider_email_key ON identities (provider, email);
CREATE INDEX identities_customer_id_idx ON identities (customer_id);

CREATE TABLE sessions (
    id TEXT PRIMARY KEY NOT NULL,
    identity_id TEXT NOT NULL REFERENCES identities (id) ON DELETE CASCADE,
    customer_id TEXT REFERENCES customers (id) ON DELETE CASCADE,
    refresh_token_hash TEXT NOT NULL,
    previous_token_hash TEXT,
    rotated_at TIMESTAMP,
    revoked_at TIMESTAMP,
    expires_at TIMESTAMP NOT NULL,
    last_used_at TIMESTAMP NOT NULL,
    user_agent TEXT,
    ip TEXT,
    created_at TIMESTAMP NOT NULL
);
CREATE UNIQUE INDEX sessions_refresh_token_hash_key ON sessions (refresh_token_hash);
CREATE INDEX sessions_previous_token_hash_idx ON sessions (previous_token_hash);
CREATE INDEX sessions_identity_id_idx ON sessions (identity_id);
CREATE INDEX sessions_customer_id_idx ON sessions (customer_id);

CREATE TABLE password_resets (
    id TEXT PRIMARY KEY NOT NULL,
    identity_id TEXT NOT NULL REFERENCES identities (id) ON DELETE CASCADE,
    token_hash TEXT NOT NULL,
    redirect_url TEXT,
    expires_at TIMESTAMP NOT NULL,
    used_at TIMESTAMP,
    created_at TIMESTAMP NOT NULL
);
CREATE UNIQUE INDEX password_resets_token_hash_key ON password_resets (token_hash);
CREATE INDEX password_resets_identity_id_idx ON password_resets (identity_id);

CREATE TABLE addresses (
    id TEXT PRIMARY KEY NOT NULL,
    customer_id TEXT NOT NULL REFERENCES customers (id) ON DELETE CASCADE,
    label TEXT,
    first_name TEXT,
    last_name TEXT,
    company TEXT,
    address1 TEXT NOT NULL,
    address2 TEXT,
    city TEXT NOT NULL,
    postal_code TEXT,
    country_code TEXT NOT NULL,
    province_code TEXT,
    phone TEXT,
    metadata TEXT NOT NULL DEFAULT '{}',
    created_at TIMESTAMP NOT NULL,
    updated_at TIMESTAMP NOT NULL
);
CREATE INDEX addresses_customer_id_idx ON addresses (customer_id, created_at);

CREATE TABLE api_keys (
    id TEXT PRIMARY KEY NOT NULL,
    kind TEXT NOT NULL CHECK (kind IN ('publishable', 'secret')),
    name TEXT NOT NULL,
    -- Publishable keys are public by design and kept readable; secret keys only as SHA-256.
    token TEXT,
    token_hash TEXT NOT NULL,
    redacted TEXT NOT NULL,
    revoked_at TIMESTAMP,
    last_used_at TIMESTAMP,
    created_at TIMESTAMP NOT NULL
);
CREATE UNIQUE INDEX api_keys_token_hash_key ON api_keys (token_hash);

-- Fixed-window throttle counters shared by every instance on the same database.
CREATE TABLE rate_limits (
    bucket TEXT PRIMARY KEY NOT NULL,
    window_started_at TIMESTAMP NOT NULL,
    hits INTEGER NOT NULL
);
