-- Free-text search over the catalogue: trigram GIN indexes (pg_trgm, a trusted extension since
-- PostgreSQL 13), so `ILIKE '%term%'` (any substring, case-insensitive) uses an index. Chosen over
-- full-text search (tsvector) because shoppers type fragments of names and SKUs ("shi", "TS-00"),
-- which stemming and word tokens do not match, and because it gives the same meaning as the
-- SQLite tree's FTS5 trigram tables. The expression must be spelled exactly so in queries.
CREATE EXTENSION IF NOT EXISTS pg_trgm;

CREATE INDEX products_search_trgm_idx ON products
    USING gin ((name || ' ' || coalesce(description, '')) gin_trgm_ops);
CREATE INDEX variants_sku_trgm_idx ON variants USING gin (sku gin_trgm_ops);

-- Listing orders, each ending with the id tie-break so that a page is an index range scan that
-- stops after `first + 1` rows (keyset cursors compare `(key, id)` row values).
DROP INDEX products_name_idx;
DROP INDEX products_units_sold_idx;
CREATE INDEX products_position_id_idx ON products (position, id);
CREATE INDEX products_name_id_idx ON products (name, id);
CREATE INDEX products_units_sold_id_idx ON products (units_sold, id);
CREATE INDEX products_available_id_idx ON products ((COALESCE(available_on, created_at)), id);
