-- 0009: a team's open-stint member count becomes a trigger-kept column of teams (see
-- migrations/0009_team_member_count.sql). Membership changes run in the store's serialised transactions,
-- so a row trigger is enough here.

ALTER TABLE teams ADD COLUMN members INTEGER NOT NULL DEFAULT 0;

UPDATE teams AS t SET members = (SELECT count(*) FROM team_members AS m WHERE m.team_id = t.id AND m.left_at IS NULL);

CREATE FUNCTION team_members_count() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP IN ('UPDATE', 'DELETE') AND OLD.left_at IS NULL THEN
        UPDATE teams SET members = members - 1 WHERE id = OLD.team_id;
    END IF;
    IF TG_OP IN ('INSERT', 'UPDATE') AND NEW.left_at IS NULL THEN
        UPDATE teams SET members = members + 1 WHERE id = NEW.team_id;
    END IF;
    RETURN NULL;
END
$$;

CREATE TRIGGER team_members_count AFTER INSERT OR DELETE OR UPDATE OF left_at, team_id ON team_members
FOR EACH ROW EXECUTE FUNCTION team_members_count();
