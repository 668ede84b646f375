-- What a checkout that picks delivery and payment step by step records on the cart: the chosen
-- delivery option (and an id for that choice, new each time it is made), and the payment the
-- shopper started: when, with which provider, and the session (its id and the amount it was
-- started for; a session whose amount is no longer the cart's total is void).
ALTER TABLE orders ADD COLUMN shipping_option_id TEXT;
ALTER TABLE orders ADD COLUMN shipping_method_id TEXT;
ALTER TABLE orders ADD COLUMN payment_started_at TIMESTAMP;
ALTER TABLE orders ADD COLUMN payment_provider TEXT;
ALTER TABLE orders ADD COLUMN payment_session_id TEXT;
ALTER TABLE orders ADD COLUMN payment_session_amount BIGINT;
ALTER TABLE orders ADD COLUMN payment_session_at TIMESTAMP;
