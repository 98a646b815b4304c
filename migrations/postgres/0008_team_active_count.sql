-- 0008: the team board's "active members" becomes a trigger-kept column of team_totals instead of a
-- count over team_active per team and bucket at read time (see migrations/0008_team_active_count.sql).
-- The statement trigger counts the team_active rows it really inserted and adds them to the team_totals
-- rows it upserted (and so already locked, in key order) a moment before: no new lock order.

ALTER TABLE team_totals ADD COLUMN active INTEGER NOT NULL DEFAULT 0;

UPDATE team_totals AS t SET active = (
    SELECT count(*) FROM team_active AS a WHERE a.team_id = t.team_id AND a.period = t.period
);

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
    WITH added AS (
        INSERT INTO team_active (team_id, period, user_id)
        SELECT DISTINCT m.team_id, p.period, n.user_id
        FROM new_rows AS n
        JOIN team_members AS m ON m.platform = n.platform AND m.server_id = n.server_id AND m.user_id = n.user_id
            AND m.left_at IS NULL
        CROSS JOIN LATERAL (VALUES ('all'), (n.week_key), (n.month_key)) AS p (period)
        WHERE n.on_board = 1
        ORDER BY m.team_id, p.period, n.user_id
        ON CONFLICT DO NOTHING
        RETURNING team_id, period
    )
    UPDATE team_totals AS t SET active = t.active + a.n
    FROM (SELECT team_id, period, count(*) AS n FROM added GROUP BY team_id, period) AS a
    WHERE t.team_id = a.team_id AND t.period = a.period;
    RETURN NULL;
END
$$;
