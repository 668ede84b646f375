-- Store credits (granted by the shop to a customer), gift cards (issued by the shop; the code
-- is shown once and only its SHA-256 is kept), the payments a cart or order makes with them
-- (`orders` is at diesel's column limit, so they live beside it), and the ledger of every
-- movement of a balance (grant or issue, debit at checkout, restore at cancel).
-- `remaining` never goes below zero: checkout takes it with a conditional UPDATE, and the CHECK
-- is the last word.
CREATE TABLE store_credits (
    id TEXT PRIMARY KEY NOT NULL,
    customer_id TEXT NOT NULL REFERENCES customers (id) ON DELETE CASCADE,
    currency TEXT NOT NULL,
    amount BIGINT NOT NULL CHECK (amount > 0),
    remaining BIGINT NOT NULL CHECK (remaining >= 0 AND remaining <= amount),
    reason TEXT NOT NULL,
    expires_at TIMESTAMP,
    created_at TIMESTAMP NOT NULL,
    updated_at TIMESTAMP NOT NULL
);
CREATE INDEX store_credits_customer_idx ON store_credits (customer_id, created_at);

CREATE TABLE gift_cards (
    id TEXT PRIMARY KEY NOT NULL,
    code_hash TEXT NOT NULL,
    code_last4 TEXT NOT NULL,
    currency TEXT NOT NULL,
    amount BIGINT NOT NULL CHECK (amount > 0),
    remaining BIGINT NOT NULL CHECK (remaining >= 0 AND remaining <= amount),
    expires_at TIMESTAMP,
    created_at TIMESTAMP NOT NULL,
    updated_at TIMESTAMP NOT NULL
);
CREATE UNIQUE INDEX gift_cards_code_key ON gift_cards (code_hash);

-- state: `applied` (on a cart, nothing taken yet), `captured` (taken at checkout), `restored`
-- (given back when the order was canceled).
CREATE TABLE order_payments (
    id TEXT PRIMARY KEY NOT NULL,
    order_id TEXT NOT NULL REFERENCES orders (id) ON DELETE CASCADE,
    source_kind TEXT NOT NULL,
    source_id TEXT NOT NULL,
    amount BIGINT NOT NULL CHECK (amount >= 0),
    state TEXT NOT NULL,
    created_at TIMESTAMP NOT NULL,
    updated_at TIMESTAMP NOT NULL
);
CREATE INDEX order_payments_order_idx ON order_payments (order_id, created_at);
CREATE INDEX order_payments_source_idx ON order_payments (source_kind, source_id);

-- kind: `grant` (store credit), `issue` (gift card), `debit` (checkout), `restore` (cancel).
-- amount is signed: positive adds to the balance, negative takes from it.
CREATE TABLE balance_movements (
    id TEXT PRIMARY KEY NOT NULL,
    source_kind TEXT NOT NULL,
    source_id TEXT NOT NULL,
    kind TEXT NOT NULL,
    amount BIGINT NOT NULL,
    customer_id TEXT,
    order_id TEXT,
    created_at TIMESTAMP NOT NULL
);
CREATE INDEX balance_movements_source_idx ON balance_movements (source_kind, source_id, created_at);
CREATE INDEX balance_movements_customer_idx ON balance_movements (customer_id, created_at);
