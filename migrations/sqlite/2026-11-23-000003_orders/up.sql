-- Carts and orders (one row: a cart becomes its order when completed), line items,
-- and the events outbox.

CREATE TABLE orders (
    id TEXT PRIMARY KEY NOT NULL,
    -- "R" + 9 digits, assigned when the cart is completed.
    number TEXT,
    customer_id TEXT REFERENCES customers (id) ON DELETE SET NULL,
    email TEXT,
    -- Guest access capability for the cart and later the order (Spree's order token).
    token TEXT NOT NULL,
    state TEXT NOT NULL DEFAULT 'cart' CHECK (state IN ('cart', 'complete', 'canceled')),
    payment_state TEXT CHECK (payment_state IN ('balance_due', 'paid', 'void')),
    shipment_state TEXT CHECK (shipment_state IN ('pending', 'ready', 'shipped', 'canceled')),
    currency TEXT NOT NULL,
    item_count INTEGER NOT NULL DEFAULT 0,
    item_total BIGINT NOT NULL DEFAULT 0,
    shipping_total BIGINT NOT NULL DEFAULT 0,
    tax_total BIGINT NOT NULL DEFAULT 0,
    total BIGINT NOT NULL DEFAULT 0,
    -- Address snapshots as JSON: editing the address book never changes a placed order.
    shipping_address TEXT,
    billing_address TEXT,
    note TEXT,
    tracking_number TEXT,
    metadata TEXT NOT NULL DEFAULT '{}',
    completed_at TIMESTAMP,
    paid_at TIMESTAMP,
    shipped_at TIMESTAMP,
    canceled_at TIMESTAMP,
    created_at TIMESTAMP NOT NULL,
    updated_at TIMESTAMP NOT NULL
);
CREATE UNIQUE INDEX orders_number_key ON orders (number);
CREATE UNIQUE INDEX orders_token_key ON orders (token);
CREATE INDEX orders_customer_completed_idx ON orders (customer_id, completed_at);
CREATE INDEX orders_email_idx ON orders (email);

CREATE TABLE line_items (
    id TEXT PRIMARY KEY NOT NULL,
    order_id TEXT NOT NULL REFERENCES orders (id) ON DELETE CASCADE,
    variant_id TEXT NOT NULL REFERENCES variants (id),
    product_id TEXT NOT NULL REFERENCES products (id),
    -- Snapshots taken when the item is added; an order keeps them after catalogue edits.
    name TEXT NOT NULL,
    sku TEXT,
    options_text TEXT NOT NULL DEFAULT '',
    quantity INTEGER NOT NULL CHECK (quantity > 0),
    unit_price BIGINT NOT NULL,
    compare_at_unit_price BIGINT,
    currency TEXT NOT NULL,
    total BIGINT NOT NULL,
    created_at TIMESTAMP NOT NULL,
    updated_at TIMESTAMP NOT NULL
);
CREATE UNIQUE INDEX line_items_order_variant_key ON line_items (order_id, variant_id);
CREATE INDEX line_items_variant_id_idx ON line_items (variant_id);

-- Outbox: written in the transaction of the change it tells about, published after commit.
CREATE TABLE events (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    event_id TEXT NOT NULL,
    event_type TEXT NOT NULL,
    customer_id TEXT,
    order_id TEXT,
    payload TEXT NOT NULL,
    created_at TIMESTAMP NOT NULL
);
CREATE UNIQUE INDEX events_event_id_key ON events (event_id);
CREATE INDEX events_type_created_idx ON events (event_type, created_at);
CREATE INDEX events_customer_id_idx ON events (customer_id);
