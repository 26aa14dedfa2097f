-- Candidate events by key term, so a story is compared with the events that share one of its
-- strongest terms instead of with every event in its time window. Same SQL on SQLite and
-- PostgreSQL; idempotent, like every migration here.

-- The strongest terms of each event (the clusterer picks them from the members' vectors).
CREATE TABLE IF NOT EXISTS event_keys (
    term      BIGINT NOT NULL,
    event_id  TEXT   NOT NULL,
    PRIMARY KEY (term, event_id)
);
CREATE INDEX IF NOT EXISTS event_keys_event ON event_keys (event_id);

-- Events without keys: those written before this migration (until they are next written) and
-- those with no terms at all. They stay candidates for every story in their time window.
CREATE TABLE IF NOT EXISTS events_unkeyed (
    id  TEXT NOT NULL PRIMARY KEY
);
INSERT INTO events_unkeyed (id) SELECT id FROM events WHERE true ON CONFLICT (id) DO NOTHING;
