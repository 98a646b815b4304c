-- 0004 (PostgreSQL): Slack OAuth (HTTP mode, many workspaces): installations and one-time install
-- states live in our database instead of files under the home directory.
-- Empty strings stand for "no enterprise" / "no user" so the keys can be primary keys.
-- SQLite REAL is an 8-byte float: DOUBLE PRECISION, read back as a Python float on both.

CREATE TABLE slack_installations (
    enterprise_id TEXT COLLATE "C" NOT NULL,
    team_id       TEXT COLLATE "C" NOT NULL,
    user_id       TEXT COLLATE "C" NOT NULL,
    data          TEXT COLLATE "C" NOT NULL,      -- Installation as JSON (holds tokens: never log it)
    installed_at  DOUBLE PRECISION NOT NULL,
    PRIMARY KEY (enterprise_id, team_id, user_id)
);

CREATE TABLE slack_bots (
    enterprise_id TEXT COLLATE "C" NOT NULL,
    team_id       TEXT COLLATE "C" NOT NULL,
    data          TEXT COLLATE "C" NOT NULL,      -- Bot as JSON (holds the bot token)
    installed_at  DOUBLE PRECISION NOT NULL,
    PRIMARY KEY (enterprise_id, team_id)
);

CREATE TABLE slack_oauth_states (
    state      TEXT COLLATE "C" PRIMARY KEY,
    expires_at DOUBLE PRECISION NOT NULL
);
