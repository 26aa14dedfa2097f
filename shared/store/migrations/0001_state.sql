-- Copydesk state, version 1. The same SQL runs on SQLite and PostgreSQL: only TEXT and BIGINT
-- columns, times as Unix milliseconds written by the application, no server-side functions.

-- Ingest dedup: the latest version of each (source namespace, guid) confirmed by the broker.
CREATE TABLE IF NOT EXISTS ingest_seen (
    source      TEXT   NOT NULL,
    guid        TEXT   NOT NULL,
    version     BIGINT NOT NULL,
    checksum    TEXT   NOT NULL,
    killed      BIGINT NOT NULL DEFAULT 0,
    updated_at  BIGINT NOT NULL,
    PRIMARY KEY (source, guid)
);
CREATE INDEX IF NOT EXISTS ingest_seen_updated ON ingest_seen (updated_at);

-- Ingest dedup by content: agencies re-file the same text under new ids.
CREATE TABLE IF NOT EXISTS ingest_content (
    source      TEXT   NOT NULL,
    day         TEXT   NOT NULL,
    hash        TEXT   NOT NULL,
    guid        TEXT   NOT NULL,
    updated_at  BIGINT NOT NULL,
    PRIMARY KEY (source, day, hash)
);
CREATE INDEX IF NOT EXISTS ingest_content_updated ON ingest_content (updated_at);

-- The story ledger: what publish did with each story, for compare-and-set decisions.
CREATE TABLE IF NOT EXISTS story_ledger (
    story_id           TEXT   NOT NULL PRIMARY KEY,
    published_version  BIGINT NOT NULL DEFAULT 0,
    highest_version    BIGINT NOT NULL DEFAULT 0,
    killed_version     BIGINT NOT NULL DEFAULT 0,
    withheld_version   BIGINT NOT NULL DEFAULT 0,
    slug               TEXT,
    revision           BIGINT NOT NULL DEFAULT 0,
    updated_at         BIGINT NOT NULL
);
CREATE INDEX IF NOT EXISTS story_ledger_updated ON story_ledger (updated_at);

-- Deliveries: one row per (story, version, target) once a sink has delivered it.
CREATE TABLE IF NOT EXISTS deliveries (
    story_id     TEXT   NOT NULL,
    version      BIGINT NOT NULL,
    target       TEXT   NOT NULL,
    state        TEXT   NOT NULL,
    external_id  TEXT,
    updated_at   BIGINT NOT NULL,
    PRIMARY KEY (story_id, version, target)
);
CREATE INDEX IF NOT EXISTS deliveries_updated ON deliveries (updated_at);

-- Feed poller state (ETag, Last-Modified, failures) as a JSON document per feed.
CREATE TABLE IF NOT EXISTS feed_state (
    name        TEXT   NOT NULL PRIMARY KEY,
    state       TEXT   NOT NULL,
    updated_at  BIGINT NOT NULL
);

-- Leases: a named lock held by one owner until it expires (per story, per feed).
CREATE TABLE IF NOT EXISTS leases (
    name         TEXT   NOT NULL PRIMARY KEY,
    owner        TEXT   NOT NULL,
    expires_at   BIGINT NOT NULL
);
