-- 0005: study-group features: teams with dated membership and trigger-kept team boards,
-- spaced-repetition cards, and resumable mock exams.

CREATE TABLE teams (
    id         INTEGER PRIMARY KEY,
    platform   TEXT NOT NULL,
    server_id  TEXT NOT NULL,
    name       TEXT NOT NULL,
    role_ref   TEXT,
    created_at TEXT NOT NULL,
    deleted_at TEXT
);
CREATE UNIQUE INDEX teams_name ON teams (platform, server_id, name COLLATE NOCASE) WHERE deleted_at IS NULL;

-- Dated membership: a row per stint in a team; the open stint has left_at NULL.
CREATE TABLE team_members (
    platform  TEXT NOT NULL,
    server_id TEXT NOT NULL,
    user_id   TEXT NOT NULL,
    team_id   INTEGER NOT NULL REFERENCES teams (id),
    joined_at TEXT NOT NULL,
    left_at   TEXT,
    PRIMARY KEY (platform, server_id, user_id, joined_at)
) WITHOUT ROWID;
CREATE UNIQUE INDEX team_members_current ON team_members (platform, server_id, user_id) WHERE left_at IS NULL;
CREATE INDEX team_members_team ON team_members (team_id) WHERE left_at IS NULL;

-- Team totals per period bucket; points go to the team the player is in when answering.
CREATE TABLE team_totals (
    team_id  INTEGER NOT NULL,
    period   TEXT NOT NULL,
    points   INTEGER NOT NULL,
    answered INTEGER NOT NULL,
    correct  INTEGER NOT NULL,
    PRIMARY KEY (team_id, period)
) WITHOUT ROWID;

-- Who was active (answered at least once) for a team in a period bucket.
CREATE TABLE team_active (
    team_id INTEGER NOT NULL,
    period  TEXT NOT NULL,
    user_id TEXT NOT NULL,
    PRIMARY KEY (team_id, period, user_id)
) WITHOUT ROWID;

CREATE TRIGGER attempts_team AFTER INSERT ON attempts WHEN NEW.on_board = 1
BEGIN
    INSERT INTO team_totals (team_id, period, points, answered, correct)
    SELECT m.team_id, p.period, NEW.points, 1, NEW.correct
    FROM team_members AS m
    JOIN (SELECT 'all' AS period UNION ALL SELECT NEW.week_key UNION ALL SELECT NEW.month_key) AS p
    WHERE m.platform = NEW.platform AND m.server_id = NEW.server_id AND m.user_id = NEW.user_id
      AND m.left_at IS NULL
    ON CONFLICT (team_id, period) DO UPDATE SET
        points = points + excluded.points,
        answered = answered + 1,
        correct = correct + excluded.correct;
    INSERT OR IGNORE INTO team_active (team_id, period, user_id)
    SELECT m.team_id, p.period, NEW.user_id
    FROM team_members AS m
    JOIN (SELECT 'all' AS period UNION ALL SELECT NEW.week_key UNION ALL SELECT NEW.month_key) AS p
    WHERE m.platform = NEW.platform AND m.server_id = NEW.server_id AND m.user_id = NEW.user_id
      AND m.left_at IS NULL;
END;

-- Spaced-repetition card per player and question (FSRS state as JSON).
CREATE TABLE cards (
    platform    TEXT NOT NULL,
    server_id   TEXT NOT NULL,
    user_id     TEXT NOT NULL,
    question_id TEXT NOT NULL,
    domain      INTEGER NOT NULL,
    state       TEXT NOT NULL,
    due         TEXT NOT NULL,
    reviews     INTEGER NOT NULL,
    lapses      INTEGER NOT NULL,
    PRIMARY KEY (platform, server_id, user_id, question_id)
) WITHOUT ROWID;
CREATE INDEX cards_due ON cards (platform, server_id, user_id, due);

CREATE TABLE exams (
    id          INTEGER PRIMARY KEY,
    platform    TEXT NOT NULL,
    server_id   TEXT NOT NULL,
    user_id     TEXT NOT NULL,
    started_at  TEXT NOT NULL,
    deadline    TEXT NOT NULL,
    questions   TEXT NOT NULL,
    rounds      TEXT NOT NULL DEFAULT '',
    finished_at TEXT
);
CREATE UNIQUE INDEX exams_active ON exams (platform, server_id, user_id) WHERE finished_at IS NULL;
