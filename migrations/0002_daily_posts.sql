-- 0002: the per-day claim of a server's daily post, with its round, reveal time and failures.
-- The primary key is what makes posting exactly-once per local date: the row is
-- inserted before anything is sent, so a DST double fire, a restart or a second
-- scheduler finds the claim and backs off.

CREATE TABLE daily_posts (
    platform    TEXT NOT NULL,
    server_id   TEXT NOT NULL,
    local_date  TEXT NOT NULL,
    status      TEXT NOT NULL CHECK (status IN ('claimed', 'posted', 'failed', 'revealed')),
    claimed_at  TEXT NOT NULL,
    round_id    INTEGER REFERENCES rounds (id),
    posted_at   TEXT,
    reveal_at   TEXT,
    failures    INTEGER NOT NULL DEFAULT 0,
    last_error  TEXT,
    PRIMARY KEY (platform, server_id, local_date)
) WITHOUT ROWID;

CREATE INDEX daily_posts_open ON daily_posts (status, reveal_at) WHERE status IN ('claimed', 'posted', 'failed');
CREATE INDEX server_config_enabled ON server_config (enabled) WHERE enabled = 1;
