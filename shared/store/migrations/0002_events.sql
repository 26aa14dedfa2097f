-- Events (one story from many wires), version 2 of the state. Same SQL on SQLite and PostgreSQL.

-- One row per event: its state as JSON (the clusterer's data), a version for compare-and-set,
-- and the time span of its dated members for candidate lookups (NULL: no dated member).
CREATE TABLE IF NOT EXISTS events (
    id          TEXT   NOT NULL PRIMARY KEY,
    version     BIGINT NOT NULL,
    state       TEXT   NOT NULL,
    first_seen  BIGINT,
    last_seen   BIGINT,
    updated_at  BIGINT NOT NULL
);
CREATE INDEX IF NOT EXISTS events_span ON events (last_seen, first_seen);

-- Which event holds a story.
CREATE TABLE IF NOT EXISTS event_stories (
    story_id  TEXT NOT NULL PRIMARY KEY,
    event_id  TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS event_stories_event ON event_stories (event_id);

-- Document frequencies of key terms, learned from the stream (term 0 holds the document count).
CREATE TABLE IF NOT EXISTS event_terms (
    term  BIGINT NOT NULL PRIMARY KEY,
    n     BIGINT NOT NULL
);

-- The newest version of each member story with its entities (StoryExtracted JSON), which the
-- event article is written from.
CREATE TABLE IF NOT EXISTS event_members (
    story_id    TEXT   NOT NULL PRIMARY KEY,
    event_id    TEXT   NOT NULL,
    version     BIGINT NOT NULL,
    payload     TEXT   NOT NULL,
    updated_at  BIGINT NOT NULL
);
CREATE INDEX IF NOT EXISTS event_members_event ON event_members (event_id);
