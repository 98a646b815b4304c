-- 0009: a team's open-stint member count becomes a trigger-kept column of teams instead of a count over
-- team_members per team at read time, so every team read (and the team board) is a lookup.

ALTER TABLE teams ADD COLUMN members INTEGER NOT NULL DEFAULT 0;

UPDATE teams SET members = (SELECT count(*) FROM team_members AS m WHERE m.team_id = teams.id AND m.left_at IS NULL);

CREATE TRIGGER team_members_insert AFTER INSERT ON team_members WHEN NEW.left_at IS NULL
BEGIN
    UPDATE teams SET members = members + 1 WHERE id = NEW.team_id;
END;

-- A stint ends (left_at set), or is moved or reopened: the old side loses an open member, the new side gains one.
CREATE TRIGGER team_members_update AFTER UPDATE OF left_at, team_id ON team_members
BEGIN
    UPDATE teams SET members = members - 1 WHERE id = OLD.team_id AND OLD.left_at IS NULL;
    UPDATE teams SET members = members + 1 WHERE id = NEW.team_id AND NEW.left_at IS NULL;
END;

CREATE TRIGGER team_members_delete AFTER DELETE ON team_members WHEN OLD.left_at IS NULL
BEGIN
    UPDATE teams SET members = members - 1 WHERE id = OLD.team_id;
END;
