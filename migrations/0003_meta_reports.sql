-- 0003: a small key-value table for adapter bookkeeping (e.g. the Discord command-tree
-- hash) and question reports from players.

CREATE TABLE meta (
    key   TEXT PRIMARY KEY,
    value TEXT NOT NULL
) WITHOUT ROWID;

CREATE TABLE reports (
    id          INTEGER PRIMARY KEY,
    platform    TEXT NOT NULL,
    server_id   TEXT NOT NULL,
    user_id     TEXT NOT NULL,
    question_id TEXT NOT NULL,
    round_id    INTEGER REFERENCES rounds (id),
    reason      TEXT NOT NULL,
    text        TEXT NOT NULL,
    created_at  TEXT NOT NULL,
    resolved_at TEXT,
    resolved_by TEXT,
    resolution  TEXT
);
CREATE INDEX reports_open ON reports (platform, server_id, resolved_at);
CREATE INDEX reports_question ON reports (question_id);
