-- SQLite serves one process: events are published in-process after each write transaction
-- (src/store/publication.rs), so there is nothing to create. The folder keeps both trees alike.
SELECT 1;
