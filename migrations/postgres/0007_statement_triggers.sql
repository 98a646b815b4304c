-- 0007 (PostgreSQL): the trigger-kept tables updated once per INSERT statement, in key order, so that
-- answer batches running at the same time (several on a pool, several processes) can never deadlock.
--
-- The answer path inserts a loop tick's answers as one multi-row INSERT. With the row triggers of 0001
-- and 0005 each batch locked the board_totals, streaks and team_totals rows in its own row order; two
-- batches sharing two rows in opposite orders wait on each other and PostgreSQL aborts one of them
-- (deadlock_detected: every answer of that batch refused). Now every lock an answer batch takes comes in
-- one global order: the attempts keys (the store sorts its batch by primary key, see
-- SqliteQuizStore._insert_attempts), then per trigger (statement triggers fire in name order: board,
-- streak, team) its table's rows in key order. Two transactions taking locks in one global order cannot
-- wait on each other in a cycle. Hot rows are also updated once per statement, not once per answer.
--
-- The effect is the row triggers' (checked against SQLite's row triggers by tests/storage/trigger_parity):
-- each inserted row adds its points, 1 answered and its correct flag to 'all', its week and its month;
-- summing a statement's rows per key first gives the same totals (a bucket listed twice counts twice in
-- both). Rows that ON CONFLICT DO NOTHING skipped are not in new_rows, as they fired no row trigger.
-- The trigger names stay, so ALTER TABLE … DISABLE TRIGGER attempts_board (bench loader) keeps working.

DROP TRIGGER attempts_board ON attempts;
DROP TRIGGER attempts_streak ON attempts;
DROP TRIGGER attempts_team ON attempts;

CREATE OR REPLACE FUNCTION attempts_board() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO board_totals AS b (platform, server_id, period, user_id, points, answered, correct)
    SELECT n.platform, n.server_id, p.period, n.user_id, sum(n.points), count(*), sum(n.correct)
    FROM new_rows AS n CROSS JOIN LATERAL (VALUES ('all'), (n.week_key), (n.month_key)) AS p (period)
    WHERE n.on_board = 1
    GROUP BY n.platform, n.server_id, p.period, n.user_id
    ORDER BY n.platform, n.server_id, p.period, n.user_id
    ON CONFLICT (platform, server_id, period, user_id) DO UPDATE SET
        points = b.points + EXCLUDED.points,
        answered = b.answered + EXCLUDED.answered,
        correct = b.correct + EXCLUDED.correct;
    RETURN NULL;
END
$$;

-- A streak depends on the order of a player's answers (a late answer to an older round changes nothing),
-- so this one stays a loop: one upsert per daily answer, as the row trigger did, but in key order, and per
-- player in round order. The store inserts its batches sorted by (round_id, platform, server_id, user_id),
-- so a player's rows reach SQLite's row trigger in round order too: both see the same sequence.
CREATE OR REPLACE FUNCTION attempts_streak() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    r RECORD;
BEGIN
    FOR r IN
        SELECT n.platform, n.server_id, n.user_id, n.correct, n.daily_seq FROM new_rows AS n
        WHERE n.kind = 'daily'
        ORDER BY n.platform, n.server_id, n.user_id, n.round_id
    LOOP
        INSERT INTO streaks AS s (platform, server_id, user_id, current, best, last_seq)
        VALUES (r.platform, r.server_id, r.user_id, r.correct, r.correct, r.daily_seq)
        ON CONFLICT (platform, server_id, user_id) DO UPDATE SET
            current = CASE WHEN r.correct = 0 THEN 0
                           WHEN s.last_seq = r.daily_seq - 1 THEN s.current + 1
                           ELSE 1 END,
            best = GREATEST(s.best, CASE WHEN r.correct = 0 THEN 0
                                         WHEN s.last_seq = r.daily_seq - 1 THEN s.current + 1
                                         ELSE 1 END),
            last_seq = r.daily_seq
        WHERE r.daily_seq > s.last_seq;
    END LOOP;
    RETURN NULL;
END
$$;

-- Points go to the team of the player's open stint when the statement runs (as the row trigger read it).
CREATE OR REPLACE FUNCTION attempts_team() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO team_totals AS t (team_id, period, points, answered, correct)
    SELECT m.team_id, p.period, sum(n.points), count(*), sum(n.correct)
    FROM new_rows AS n
    JOIN team_members AS m ON m.platform = n.platform AND m.server_id = n.server_id AND m.user_id = n.user_id
        AND m.left_at IS NULL
    CROSS JOIN LATERAL (VALUES ('all'), (n.week_key), (n.month_key)) AS p (period)
    WHERE n.on_board = 1
    GROUP BY m.team_id, p.period
    ORDER BY m.team_id, p.period
    ON CONFLICT (team_id, period) DO UPDATE SET
        points = t.points + EXCLUDED.points,
        answered = t.answered + EXCLUDED.answered,
        correct = t.correct + EXCLUDED.correct;
    INSERT INTO team_active (team_id, period, user_id)
    SELECT DISTINCT m.team_id, p.period, n.user_id
    FROM new_rows AS n
    JOIN team_members AS m ON m.platform = n.platform AND m.server_id = n.server_id AND m.user_id = n.user_id
        AND m.left_at IS NULL
    CROSS JOIN LATERAL (VALUES ('all'), (n.week_key), (n.month_key)) AS p (period)
    WHERE n.on_board = 1
    ORDER BY m.team_id, p.period, n.user_id
    ON CONFLICT DO NOTHING;
    RETURN NULL;
END
$$;

CREATE TRIGGER attempts_board AFTER INSERT ON attempts
REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION attempts_board();
CREATE TRIGGER attempts_streak AFTER INSERT ON attempts
REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION attempts_streak();
CREATE TRIGGER attempts_team AFTER INSERT ON attempts
REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION attempts_team();

-- Rank right after a round. The rank and board reads are index-only scans of board_rank (and of
-- team_active's key for the team board), which skip the heap only on pages the visibility map marks
-- all-visible, and only VACUUM sets those marks. A daily round updates every player's three rows
-- (never HOT: points, answered and correct are all in board_rank), so afterwards the scans visit the
-- heap row by row until autovacuum comes. By default it comes after 20 % of the table is dead, which a
-- round of one server is not (3 rows per player out of ~37 buckets per player): the slow state lasted
-- for days. 1 % (plus a floor for small tables) brings autovacuum within a naptime (1 min) of a round,
-- and of a new week's or month's inserts. Vacuuming these tables is cheap: the visibility map lets it
-- skip the pages no round touched.
ALTER TABLE board_totals SET (
    autovacuum_vacuum_scale_factor = 0.01, autovacuum_vacuum_threshold = 1000,
    autovacuum_vacuum_insert_scale_factor = 0.01, autovacuum_vacuum_insert_threshold = 1000,
    autovacuum_analyze_scale_factor = 0.02
);
ALTER TABLE team_active SET (
    autovacuum_vacuum_insert_scale_factor = 0.01, autovacuum_vacuum_insert_threshold = 1000
);
-- team_totals is small (teams x buckets) and updated in place many times a day; no index covers the
-- updated columns, so updates can be HOT (no new index entries, pruned on the page) when the page has
-- room: half-empty pages keep that room.
ALTER TABLE team_totals SET (fillfactor = 50, autovacuum_vacuum_scale_factor = 0.05);
