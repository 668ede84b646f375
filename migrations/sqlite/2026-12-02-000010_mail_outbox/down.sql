DROP INDEX events_created_at_idx;
DROP INDEX orders_state_updated_idx;
DROP TABLE mail_outbox;
