-- Free-text search over the catalogue: FTS5 with the trigram tokenizer, so a query matches any
-- substring of three characters or more, case-insensitively (the same meaning as PostgreSQL's
-- pg_trgm + ILIKE in the other tree). External-content tables: the text stays in `products` and
-- `variants`; the triggers below keep the indexes in step (FTS rowid = the row's rowid).
-- After a VACUUM (which may renumber rowids) run:
--   INSERT INTO products_fts(products_fts) VALUES ('rebuild');
--   INSERT INTO variants_fts(variants_fts) VALUES ('rebuild');

CREATE VIRTUAL TABLE products_fts USING fts5(
    name, description, content = 'products', tokenize = 'trigram'
);
CREATE TRIGGER products_fts_insert AFTER INSERT ON products BEGIN
    INSERT INTO products_fts (rowid, name, description) VALUES (new.rowid, new.name, new.description);
END;
CREATE TRIGGER products_fts_delete AFTER DELETE ON products BEGIN
    INSERT INTO products_fts (products_fts, rowid, name, description)
    VALUES ('delete', old.rowid, old.name, old.description);
END;
CREATE TRIGGER products_fts_update AFTER UPDATE OF name, description ON products BEGIN
    INSERT INTO products_fts (products_fts, rowid, name, description)
    VALUES ('delete', old.rowid, old.name, old.description);
    INSERT INTO products_fts (rowid, name, description) VALUES (new.rowid, new.name, new.description);
END;

CREATE VIRTUAL TABLE variants_fts USING fts5(sku, content = 'variants', tokenize = 'trigram');
CREATE TRIGGER variants_fts_insert AFTER INSERT ON variants BEGIN
    INSERT INTO variants_fts (rowid, sku) VALUES (new.rowid, new.sku);
END;
CREATE TRIGGER variants_fts_delete AFTER DELETE ON variants BEGIN
    INSERT INTO variants_fts (variants_fts, rowid, sku) VALUES ('delete', old.rowid, old.sku);
END;
CREATE TRIGGER variants_fts_update AFTER UPDATE OF sku ON variants BEGIN
    INSERT INTO variants_fts (variants_fts, rowid, sku) VALUES ('delete', old.rowid, old.sku);
    INSERT INTO variants_fts (rowid, sku) VALUES (new.rowid, new.sku);
END;

-- Rows that existed before this migration.
INSERT INTO products_fts (products_fts) VALUES ('rebuild');
INSERT INTO variants_fts (variants_fts) VALUES ('rebuild');

-- Listing orders, each ending with the id tie-break so that a page is an index range scan that
-- stops after `first + 1` rows (keyset cursors compare `(key, id)` row values).
DROP INDEX products_name_idx;
DROP INDEX products_units_sold_idx;
CREATE INDEX products_position_id_idx ON products (position, id);
CREATE INDEX products_name_id_idx ON products (name, id);
CREATE INDEX products_units_sold_id_idx ON products (units_sold, id);
CREATE INDEX products_available_id_idx ON products ((COALESCE(available_on, created_at)), id);
