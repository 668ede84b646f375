-- Mail waiting to leave, written in the transaction of the change that causes it (a reset
-- requested, a password changed, an order placed or shipped) and sent by the mail worker.
-- `status`: pending (due at `next_attempt_at`), sending (claimed by `claimed_by` until
-- `lease_until`; a crashed worker's claim is retaken after that), sent, failed (permanently
-- refused, or out of attempts), expired (not sent before `expires_at`: a reset link that no
-- longer works). The bodies are blanked once the mail is sent, failed or expired, so a reset
-- token or an order token stays here no longer than needed.
CREATE TABLE mail_outbox (
    id TEXT PRIMARY KEY NOT NULL,
    kind TEXT NOT NULL,
    recipient TEXT NOT NULL,
    subject TEXT NOT NULL,
    text_body TEXT NOT NULL,
    html_body TEXT NOT NULL,
    status TEXT NOT NULL DEFAULT 'pending'
        CHECK (status IN ('pending', 'sending', 'sent', 'failed', 'expired')),
    attempts INTEGER NOT NULL DEFAULT 0,
    next_attempt_at TIMESTAMP NOT NULL,
    claimed_by TEXT,
    lease_until TIMESTAMP,
    last_error TEXT,
    expires_at TIMESTAMP,
    created_at TIMESTAMP NOT NULL,
    sent_at TIMESTAMP,
    updated_at TIMESTAMP NOT NULL
);

CREATE INDEX mail_outbox_status_due_idx ON mail_outbox (status, next_attempt_at);
CREATE INDEX mail_outbox_updated_at_idx ON mail_outbox (updated_at);

-- Housekeeping deletes guest carts untouched for STOREFRONT_CART_TTL and prunes old events.
CREATE INDEX orders_state_updated_idx ON orders (state, updated_at);
CREATE INDEX events_created_at_idx ON events (created_at);
