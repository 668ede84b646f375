CREATE INDEX orders_customer_completed_idx ON orders (customer_id, completed_at);
DROP INDEX orders_customer_placed_idx;
