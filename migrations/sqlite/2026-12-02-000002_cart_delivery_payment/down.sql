ALTER TABLE orders DROP COLUMN payment_session_at;
ALTER TABLE orders DROP COLUMN payment_session_amount;
ALTER TABLE orders DROP COLUMN payment_session_id;
ALTER TABLE orders DROP COLUMN payment_provider;
ALTER TABLE orders DROP COLUMN payment_started_at;
ALTER TABLE orders DROP COLUMN shipping_method_id;
ALTER TABLE orders DROP COLUMN shipping_option_id;
