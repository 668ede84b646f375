DROP TRIGGER variants_fts_update;
DROP TRIGGER variants_fts_delete;
DROP TRIGGER variants_fts_insert;
DROP TABLE variants_fts;
DROP TRIGGER products_fts_update;
DROP TRIGGER products_fts_delete;
DROP TRIGGER products_fts_insert;
DROP TABLE products_fts;
