DROP INDEX products_available_id_idx;
DROP INDEX products_units_sold_id_idx;
DROP INDEX products_name_id_idx;
DROP INDEX products_position_id_idx;
CREATE INDEX products_units_sold_idx ON products (units_sold);
CREATE INDEX products_name_idx ON products (name);
DROP INDEX variants_sku_trgm_idx;
DROP INDEX products_search_trgm_idx;
