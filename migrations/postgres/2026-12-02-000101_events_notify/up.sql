-- Every event row tells the listening instances on commit (NOTIFY is transactional: a rolled
-- back change notifies nobody). The payload is the outbox id; listeners re-read the outbox.
CREATE FUNCTION storefront_events_notify() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    PERFORM pg_notify('storefront_events', NEW.id::text);
    RETURN NULL;
END
$$;

CREATE TRIGGER events_notify AFTER INSERT ON events
    FOR EACH ROW EXECUTE FUNCTION storefront_events_notify();
