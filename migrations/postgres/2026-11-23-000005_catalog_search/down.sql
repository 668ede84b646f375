DROP INDEX variants_sku_trgm_idx;
DROP INDEX products_search_trgm_idx;
