-- 0002 (PostgreSQL): the per-day claim of a server's daily post, with its round, reveal time and failures.
-- The primary key is what makes posting exactly-once per local date: the row is
-- inserted before anything is sent, so a DST double fire, a restart or a second
-- scheduler finds the claim and backs off.

CREATE TABLE daily_posts (
    platform    TEXT COLLATE "C" NOT NULL,
    server_id   TEXT COLLATE "C" NOT NULL,
    local_date  TEXT COLLATE "C" NOT NULL,
    status      TEXT COLLATE "C" NOT NULL CHECK (status IN ('claimed', 'posted', 'failed', 'revealed')),
    claimed_at  TEXT COLLATE "C" NOT NULL,
    round_id    BIGINT REFERENCES rounds (id),
    posted_at   TEXT COLLATE "C",
    reveal_at   TEXT COLLATE "C",
    failures    INTEGER NOT NULL DEFAULT 0,
    last_error  TEXT COLLATE "C",
    PRIMARY KEY (platform, server_id, local_date)
);

CREATE INDEX daily_posts_open ON daily_posts (status, reveal_at) WHERE status IN ('claimed', 'posted', 'failed');
CREATE INDEX server_config_enabled ON server_config (enabled) WHERE enabled = 1;
