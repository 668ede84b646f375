DROP TRIGGER events_notify ON events;
DROP FUNCTION storefront_events_notify();
