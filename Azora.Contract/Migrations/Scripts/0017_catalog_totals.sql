-- The unfiltered catalog's totals: every course (what an admin sees) and the listed ones, published and not archived
-- (what everyone sees; an instructor adds their own unlisted courses). Counting them walked an index of every course on
-- each uncached list request, the largest part of what a staff page cost after 0016. Triggers on courses keep the one
-- row exact in the transaction that creates, publishes, unpublishes, archives or deletes a course; a filtered list still
-- counts its rows.
CREATE TABLE catalog_totals (
    only_row boolean PRIMARY KEY DEFAULT true CHECK (only_row),
    courses  bigint  NOT NULL CHECK (courses >= 0),
    listed   bigint  NOT NULL CHECK (listed >= 0 AND listed <= courses)
);

INSERT INTO catalog_totals (courses, listed)
SELECT count(*), count(*) FILTER (WHERE published AND archived_at IS NULL) FROM courses;

CREATE FUNCTION catalog_totals_count() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'INSERT' THEN
        UPDATE catalog_totals t SET courses = t.courses + d.n, listed = t.listed + d.listed
        FROM (SELECT count(*) AS n, count(*) FILTER (WHERE published AND archived_at IS NULL) AS listed FROM inserted) d
        WHERE d.n > 0;
    ELSIF TG_OP = 'DELETE' THEN
        UPDATE catalog_totals t SET courses = t.courses - d.n, listed = t.listed - d.listed
        FROM (SELECT count(*) AS n, count(*) FILTER (WHERE published AND archived_at IS NULL) AS listed FROM deleted) d
        WHERE d.n > 0;
    ELSE
        -- One course's listing changed (the trigger's WHEN).
        UPDATE catalog_totals SET listed = listed + CASE WHEN NEW.published AND NEW.archived_at IS NULL THEN 1 ELSE -1 END;
    END IF;
    RETURN NULL;
END;
$$;

CREATE TRIGGER courses_totals_inserted AFTER INSERT ON courses
    REFERENCING NEW TABLE AS inserted FOR EACH STATEMENT EXECUTE FUNCTION catalog_totals_count();
CREATE TRIGGER courses_totals_deleted AFTER DELETE ON courses
    REFERENCING OLD TABLE AS deleted FOR EACH STATEMENT EXECUTE FUNCTION catalog_totals_count();
-- Per row and only when the listing changes, so the enrollment counts 0016 writes on courses never reach this row.
CREATE TRIGGER courses_totals_listed AFTER UPDATE OF published, archived_at ON courses FOR EACH ROW
    WHEN ((OLD.published AND OLD.archived_at IS NULL) IS DISTINCT FROM (NEW.published AND NEW.archived_at IS NULL))
    EXECUTE FUNCTION catalog_totals_count();

-- An instructor's unfiltered total adds their own drafts and archived courses, counted from this small index, to the
-- listed courses, instead of testing the visibility OR on every course.
CREATE INDEX courses_unlisted_instructor_idx ON courses (instructor_id) WHERE NOT (published AND archived_at IS NULL);
