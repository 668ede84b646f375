-- Product catalogue: category tree, products, options, variants, prices, images.

CREATE TABLE categories (
    id TEXT PRIMARY KEY NOT NULL,
    parent_id TEXT REFERENCES categories (id) ON DELETE CASCADE,
    name TEXT NOT NULL,
    -- Full path of slugs ("clothing/men/shirts"); descendants share it as a prefix.
    permalink TEXT NOT NULL,
    description TEXT,
    position INTEGER NOT NULL DEFAULT 0,
    depth INTEGER NOT NULL DEFAULT 0,
    meta_title TEXT,
    meta_description TEXT,
    created_at TIMESTAMP NOT NULL,
    updated_at TIMESTAMP NOT NULL
);
CREATE UNIQUE INDEX categories_permalink_key ON categories (permalink);
CREATE INDEX categories_parent_id_idx ON categories (parent_id, position);

CREATE TABLE products (
    id TEXT PRIMARY KEY NOT NULL,
    name TEXT NOT NULL,
    slug TEXT NOT NULL,
    description TEXT,
    status TEXT NOT NULL DEFAULT 'active' CHECK (status IN ('draft', 'active', 'archived')),
    tags TEXT NOT NULL DEFAULT '[]',
    available_on TIMESTAMP,
    discontinue_on TIMESTAMP,
    meta_title TEXT,
    meta_description TEXT,
    meta_keywords TEXT,
    -- Units sold on completed orders, kept up to date at checkout for "best selling".
    units_sold BIGINT NOT NULL DEFAULT 0,
    position INTEGER NOT NULL DEFAULT 0,
    metadata TEXT NOT NULL DEFAULT '{}',
    created_at TIMESTAMP NOT NULL,
    updated_at TIMESTAMP NOT NULL
);
CREATE UNIQUE INDEX products_slug_key ON products (slug);
CREATE INDEX products_status_available_on_idx ON products (status, available_on);
CREATE INDEX products_created_at_idx ON products (created_at);
CREATE INDEX products_name_idx ON products (name);
CREATE INDEX products_units_sold_idx ON products (units_sold);

CREATE TABLE product_categories (
    product_id TEXT NOT NULL REFERENCES products (id) ON DELETE CASCADE,
    category_id TEXT NOT NULL REFERENCES categories (id) ON DELETE CASCADE,
    position INTEGER NOT NULL DEFAULT 0,
    PRIMARY KEY (product_id, category_id)
);
CREATE INDEX product_categories_category_id_idx ON product_categories (category_id, position);

CREATE TABLE option_types (
    id TEXT PRIMARY KEY NOT NULL,
    name TEXT NOT NULL,
    presentation TEXT NOT NULL,
    position INTEGER NOT NULL DEFAULT 0,
    created_at TIMESTAMP NOT NULL,
    updated_at TIMESTAMP NOT NULL
);
CREATE UNIQUE INDEX option_types_name_key ON option_types (name);

CREATE TABLE option_values (
    id TEXT PRIMARY KEY NOT NULL,
    option_type_id TEXT NOT NULL REFERENCES option_types (id) ON DELETE CASCADE,
    name TEXT NOT NULL,
    presentation TEXT NOT NULL,
    position INTEGER NOT NULL DEFAULT 0,
    color_code TEXT,
    created_at TIMESTAMP NOT NULL,
    updated_at TIMESTAMP NOT NULL
);
CREATE UNIQUE INDEX option_values_type_name_key ON option_values (option_type_id, name);

CREATE TABLE product_option_types (
    product_id TEXT NOT NULL REFERENCES products (id) ON DELETE CASCADE,
    option_type_id TEXT NOT NULL REFERENCES option_types (id) ON DELETE CASCADE,
    position INTEGER NOT NULL DEFAULT 0,
    PRIMARY KEY (product_id, option_type_id)
);

CREATE TABLE variants (
    id TEXT PRIMARY KEY NOT NULL,
    product_id TEXT NOT NULL REFERENCES products (id) ON DELETE CASCADE,
    sku TEXT,
    -- The default variant carries the product's own price (Spree's master variant).
    is_default BOOLEAN NOT NULL DEFAULT FALSE,
    position INTEGER NOT NULL DEFAULT 0,
    track_inventory BOOLEAN NOT NULL DEFAULT TRUE,
    stock_on_hand INTEGER NOT NULL DEFAULT 0,
    backorderable BOOLEAN NOT NULL DEFAULT FALSE,
    weight DOUBLE PRECISION,
    height DOUBLE PRECISION,
    width DOUBLE PRECISION,
    depth DOUBLE PRECISION,
    discontinued_at TIMESTAMP,
    created_at TIMESTAMP NOT NULL,
    updated_at TIMESTAMP NOT NULL,
    CHECK (stock_on_hand >= 0 OR backorderable OR NOT track_inventory)
);
CREATE INDEX variants_product_id_idx ON variants (product_id, position);
CREATE UNIQUE INDEX variants_sku_key ON variants (sku);

CREATE TABLE variant_option_values (
    variant_id TEXT NOT NULL REFERENCES variants (id) ON DELETE CASCADE,
    option_value_id TEXT NOT NULL REFERENCES option_values (id) ON DELETE CASCADE,
    PRIMARY KEY (variant_id, option_value_id)
);
CREATE INDEX variant_option_values_option_value_id_idx ON variant_option_values (option_value_id);

CREATE TABLE prices (
    id TEXT PRIMARY KEY NOT NULL,
    variant_id TEXT NOT NULL REFERENCES variants (id) ON DELETE CASCADE,
    currency TEXT NOT NULL,
    amount BIGINT NOT NULL CHECK (amount >= 0),
    compare_at_amount BIGINT,
    created_at TIMESTAMP NOT NULL,
    updated_at TIMESTAMP NOT NULL
);
CREATE UNIQUE INDEX prices_variant_currency_key ON prices (variant_id, currency);
CREATE INDEX prices_currency_amount_idx ON prices (currency, amount);

CREATE TABLE product_images (
    id TEXT PRIMARY KEY NOT NULL,
    product_id TEXT NOT NULL REFERENCES products (id) ON DELETE CASCADE,
    variant_id TEXT REFERENCES variants (id) ON DELETE CASCADE,
    url TEXT NOT NULL,
    alt TEXT,
    position INTEGER NOT NULL DEFAULT 0,
    created_at TIMESTAMP NOT NULL
);
CREATE INDEX product_images_product_id_idx ON product_images (product_id, position);
