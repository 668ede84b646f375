-- Free-text search over the catalogue: trigram GIN indexes (pg_trgm, a trusted extension since
-- PostgreSQL 13), so `ILIKE '%term%'` (any substring, case-insensitive) uses an index. Chosen over
-- full-text search (tsvector) because shoppers type fragments of names and SKUs ("shi", "TS-00"),
-- which stemming and word tokens do not match, and because it gives the same meaning as the
-- SQLite tree's FTS5 trigram tables. The expression must be spelled exactly so in queries.
CREATE EXTENSION IF NOT EXISTS pg_trgm;

CREATE INDEX products_search_trgm_idx ON products
    USING gin ((name || ' ' || coalesce(description, '')) gin_trgm_ops);
CREATE INDEX variants_sku_trgm_idx ON variants USING gin (sku gin_trgm_ops);
