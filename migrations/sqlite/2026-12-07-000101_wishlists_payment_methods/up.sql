-- Wishlists (many per customer, exactly one default: the partial unique index makes a second
-- default impossible), their items (one row per variant, with a quantity), and the payment
-- methods a payment integration saved for a customer (tokenized only: provider, the provider's
-- token, brand, last 4 digits, expiry, billing address snapshot; never a card number or CVC).
-- A wishlist's share token is not stored: it is an HMAC of the wishlist id (store::wishlists).
CREATE TABLE wishlists (
    id TEXT PRIMARY KEY NOT NULL,
    customer_id TEXT NOT NULL REFERENCES customers (id) ON DELETE CASCADE,
    name TEXT NOT NULL,
    is_default BOOLEAN NOT NULL DEFAULT FALSE,
    is_private BOOLEAN NOT NULL DEFAULT TRUE,
    created_at TIMESTAMP NOT NULL,
    updated_at TIMESTAMP NOT NULL
);
CREATE INDEX wishlists_customer_idx ON wishlists (customer_id, created_at);
CREATE UNIQUE INDEX wishlists_one_default_key ON wishlists (customer_id) WHERE is_default;

CREATE TABLE wishlist_items (
    id TEXT PRIMARY KEY NOT NULL,
    wishlist_id TEXT NOT NULL REFERENCES wishlists (id) ON DELETE CASCADE,
    variant_id TEXT NOT NULL REFERENCES variants (id) ON DELETE CASCADE,
    quantity INTEGER NOT NULL,
    created_at TIMESTAMP NOT NULL,
    updated_at TIMESTAMP NOT NULL
);
CREATE UNIQUE INDEX wishlist_items_variant_key ON wishlist_items (wishlist_id, variant_id);
CREATE INDEX wishlist_items_variant_idx ON wishlist_items (variant_id);

CREATE TABLE payment_methods (
    id TEXT PRIMARY KEY NOT NULL,
    customer_id TEXT NOT NULL REFERENCES customers (id) ON DELETE CASCADE,
    provider TEXT NOT NULL,
    provider_token TEXT NOT NULL,
    brand TEXT NOT NULL,
    last4 TEXT NOT NULL,
    exp_month INTEGER NOT NULL,
    exp_year INTEGER NOT NULL,
    holder_name TEXT,
    billing_address TEXT,
    is_default BOOLEAN NOT NULL DEFAULT FALSE,
    created_at TIMESTAMP NOT NULL,
    updated_at TIMESTAMP NOT NULL
);
CREATE INDEX payment_methods_customer_idx ON payment_methods (customer_id, created_at);
CREATE UNIQUE INDEX payment_methods_one_default_key ON payment_methods (customer_id) WHERE is_default;
CREATE UNIQUE INDEX payment_methods_token_key ON payment_methods (customer_id, provider, provider_token);
