-- 0004: Slack OAuth (HTTP mode, many workspaces): installations and one-time install
-- states live in our database instead of files under the home directory.
-- Empty strings stand for "no enterprise" / "no user" so the keys can be primary keys.

CREATE TABLE slack_installations (
    enterprise_id TEXT NOT NULL,
    team_id       TEXT NOT NULL,
    user_id       TEXT NOT NULL,
    data          TEXT NOT NULL,      -- Installation as JSON (holds tokens: never log it)
    installed_at  REAL NOT NULL,
    PRIMARY KEY (enterprise_id, team_id, user_id)
) WITHOUT ROWID;

CREATE TABLE slack_bots (
    enterprise_id TEXT NOT NULL,
    team_id       TEXT NOT NULL,
    data          TEXT NOT NULL,      -- Bot as JSON (holds the bot token)
    installed_at  REAL NOT NULL,
    PRIMARY KEY (enterprise_id, team_id)
) WITHOUT ROWID;

CREATE TABLE slack_oauth_states (
    state      TEXT PRIMARY KEY,
    expires_at REAL NOT NULL
) WITHOUT ROWID;
