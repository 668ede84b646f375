DROP TABLE data_exports;
DROP TABLE email_tokens;
ALTER TABLE customers DROP COLUMN deleted_at;
ALTER TABLE customers DROP COLUMN email_verified_at;
