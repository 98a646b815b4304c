-- 0001: rounds, attempts, decks, board totals kept by triggers, streaks, server config.
-- Every id is TEXT and every key carries its platform.

CREATE TABLE server_config (
    platform          TEXT NOT NULL,
    server_id         TEXT NOT NULL,
    timezone          TEXT NOT NULL,
    channel_id        TEXT,
    enabled           INTEGER NOT NULL DEFAULT 0,
    post_time         TEXT NOT NULL DEFAULT '09:00',
    weekdays          TEXT NOT NULL DEFAULT 'mon,tue,wed,thu,fri',
    reveal_time       TEXT,
    topics            TEXT NOT NULL DEFAULT '',
    domain            INTEGER,
    mention_role      TEXT,
    practice_on_board INTEGER NOT NULL DEFAULT 0,
    admins            TEXT NOT NULL DEFAULT '',
    PRIMARY KEY (platform, server_id)
) WITHOUT ROWID;

CREATE TABLE rounds (
    id          INTEGER PRIMARY KEY,
    platform    TEXT NOT NULL,
    server_id   TEXT NOT NULL,
    kind        TEXT NOT NULL CHECK (kind IN ('daily', 'practice')),
    question_id TEXT NOT NULL,
    owner       TEXT,
    opened_at   TEXT NOT NULL,
    closes_at   TEXT,
    revealed_at TEXT,
    local_date  TEXT,
    daily_seq   INTEGER,
    channel_id  TEXT,
    message_ref TEXT,
    timezone    TEXT NOT NULL,
    on_board    INTEGER NOT NULL,
    CHECK ((kind = 'daily') = (daily_seq IS NOT NULL))
);
CREATE UNIQUE INDEX rounds_daily_seq ON rounds (platform, server_id, daily_seq) WHERE daily_seq IS NOT NULL;
CREATE INDEX rounds_daily_date ON rounds (platform, server_id, local_date) WHERE kind = 'daily';

-- One row per draw: a deck's cycle and the questions drawn in it.
CREATE TABLE deck_draws (
    platform    TEXT NOT NULL,
    server_id   TEXT NOT NULL,
    deck        TEXT NOT NULL,
    cycle       INTEGER NOT NULL,
    question_id TEXT NOT NULL,
    drawn_at    TEXT NOT NULL,
    PRIMARY KEY (platform, server_id, deck, cycle, question_id)
) WITHOUT ROWID;

CREATE TABLE attempts (
    round_id    INTEGER NOT NULL REFERENCES rounds (id),
    platform    TEXT NOT NULL,
    server_id   TEXT NOT NULL,
    user_id     TEXT NOT NULL,
    question_id TEXT NOT NULL,
    choices     TEXT NOT NULL,
    correct     INTEGER NOT NULL,
    points      INTEGER NOT NULL,
    answered_at TEXT NOT NULL,
    kind        TEXT NOT NULL,
    topic       TEXT NOT NULL,
    domain      INTEGER NOT NULL,
    on_board    INTEGER NOT NULL,
    week_key    TEXT NOT NULL,
    month_key   TEXT NOT NULL,
    daily_seq   INTEGER,
    -- One answer per person per round: the constraint, never a check-then-insert.
    PRIMARY KEY (round_id, platform, server_id, user_id)
);
CREATE INDEX attempts_player ON attempts (platform, server_id, user_id, topic, domain, correct);

-- Board totals per period bucket ('all', 'w2026-W48', 'm2026-11'), kept by the trigger below.
CREATE TABLE board_totals (
    platform  TEXT NOT NULL,
    server_id TEXT NOT NULL,
    period    TEXT NOT NULL,
    user_id   TEXT NOT NULL,
    points    INTEGER NOT NULL,
    answered  INTEGER NOT NULL,
    correct   INTEGER NOT NULL,
    PRIMARY KEY (platform, server_id, period, user_id)
) WITHOUT ROWID;
CREATE INDEX board_rank ON board_totals (platform, server_id, period, points DESC, user_id, answered, correct);

CREATE TABLE streaks (
    platform  TEXT NOT NULL,
    server_id TEXT NOT NULL,
    user_id   TEXT NOT NULL,
    current   INTEGER NOT NULL,
    best      INTEGER NOT NULL,
    last_seq  INTEGER NOT NULL,
    PRIMARY KEY (platform, server_id, user_id)
) WITHOUT ROWID;

CREATE TRIGGER attempts_board AFTER INSERT ON attempts WHEN NEW.on_board = 1
BEGIN
    INSERT INTO board_totals (platform, server_id, period, user_id, points, answered, correct)
    VALUES (NEW.platform, NEW.server_id, 'all', NEW.user_id, NEW.points, 1, NEW.correct),
           (NEW.platform, NEW.server_id, NEW.week_key, NEW.user_id, NEW.points, 1, NEW.correct),
           (NEW.platform, NEW.server_id, NEW.month_key, NEW.user_id, NEW.points, 1, NEW.correct)
    ON CONFLICT (platform, server_id, period, user_id) DO UPDATE SET
        points = points + excluded.points,
        answered = answered + 1,
        correct = correct + excluded.correct;
END;

-- A streak counts consecutive daily rounds of the server answered correctly.
CREATE TRIGGER attempts_streak AFTER INSERT ON attempts WHEN NEW.kind = 'daily'
BEGIN
    INSERT INTO streaks (platform, server_id, user_id, current, best, last_seq)
    VALUES (NEW.platform, NEW.server_id, NEW.user_id, NEW.correct, NEW.correct, NEW.daily_seq)
    ON CONFLICT (platform, server_id, user_id) DO UPDATE SET
        current = CASE WHEN NEW.correct = 0 THEN 0
                       WHEN last_seq = NEW.daily_seq - 1 THEN current + 1
                       ELSE 1 END,
        best = MAX(best, CASE WHEN NEW.correct = 0 THEN 0
                              WHEN last_seq = NEW.daily_seq - 1 THEN current + 1
                              ELSE 1 END),
        last_seq = NEW.daily_seq
    WHERE NEW.daily_seq > last_seq;
END;
