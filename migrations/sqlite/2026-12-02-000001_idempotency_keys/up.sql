-- Answers to writes sent with an `Idempotency-Key` (the REST dialects), kept 24 hours so that
-- a retried request gets the first answer instead of acting twice. `id` is the SHA-256 of the
-- caller's credentials and the key; `fingerprint` the SHA-256 of method, path and body.
CREATE TABLE idempotency_keys (
    id TEXT PRIMARY KEY NOT NULL,
    fingerprint TEXT NOT NULL,
    status INTEGER NOT NULL,
    content_type TEXT,
    body TEXT NOT NULL,
    created_at TIMESTAMP NOT NULL,
    expires_at TIMESTAMP NOT NULL
);

CREATE INDEX idempotency_keys_expires_at ON idempotency_keys (expires_at);
