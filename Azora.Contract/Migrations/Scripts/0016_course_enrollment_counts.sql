-- The catalog's "popular" sort and every listed course's enrollment count read courses.enrollment_count (enrollments
-- that are not revoked) instead of counting enrollments per request: sorting by a count aggregated over all enrollments
-- cost every popular page a pass over both tables and a sort of every course. The triggers keep the column exact in the
-- transaction that writes enrollments, whoever writes them (grants, completions, refunds, cascaded deletes), one UPDATE
-- per course a statement touches.
ALTER TABLE courses ADD COLUMN enrollment_count bigint NOT NULL DEFAULT 0 CHECK (enrollment_count >= 0);

UPDATE courses c SET enrollment_count = e.n
FROM (SELECT course_id, count(*) AS n FROM enrollments WHERE status <> 'revoked' GROUP BY course_id) e
WHERE e.course_id = c.id;

CREATE FUNCTION courses_count_enrollments() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'INSERT' THEN
        UPDATE courses c SET enrollment_count = c.enrollment_count + d.n
        FROM (SELECT course_id, count(*) AS n FROM inserted WHERE status <> 'revoked' GROUP BY course_id) d
        WHERE c.id = d.course_id;
    ELSIF TG_OP = 'DELETE' THEN
        UPDATE courses c SET enrollment_count = c.enrollment_count - d.n
        FROM (SELECT course_id, count(*) AS n FROM deleted WHERE status <> 'revoked' GROUP BY course_id) d
        WHERE c.id = d.course_id;
    ELSE
        UPDATE courses c SET enrollment_count = c.enrollment_count + d.n
        FROM (SELECT course_id, sum(n) AS n FROM (
                  SELECT course_id, 1 AS n FROM updated_new WHERE status <> 'revoked'
                  UNION ALL
                  SELECT course_id, -1 FROM updated_old WHERE status <> 'revoked') moves
              GROUP BY course_id) d
        WHERE c.id = d.course_id AND d.n <> 0;
    END IF;
    RETURN NULL;
END;
$$;

CREATE TRIGGER enrollments_count_inserted AFTER INSERT ON enrollments
    REFERENCING NEW TABLE AS inserted FOR EACH STATEMENT EXECUTE FUNCTION courses_count_enrollments();
CREATE TRIGGER enrollments_count_updated AFTER UPDATE ON enrollments
    REFERENCING OLD TABLE AS updated_old NEW TABLE AS updated_new FOR EACH STATEMENT EXECUTE FUNCTION courses_count_enrollments();
CREATE TRIGGER enrollments_count_deleted AFTER DELETE ON enrollments
    REFERENCING OLD TABLE AS deleted FOR EACH STATEMENT EXECUTE FUNCTION courses_count_enrollments();

-- The popular sort over every course (staff) and over the published catalog, in the sort's order, so a page is an
-- index walk to its offset like the other sorts (0004, 0015).
CREATE INDEX courses_staff_popular_idx ON courses (enrollment_count DESC, created_at DESC, id) INCLUDE (published, archived_at, instructor_id);
CREATE INDEX courses_catalog_popular_idx ON courses (enrollment_count DESC, created_at DESC, id) WHERE published AND archived_at IS NULL;

-- An instructor's unfiltered total counts the listed courses from the catalog's partial index and adds their own
-- drafts and archived courses from this one, instead of testing the visibility OR on every course.
CREATE INDEX courses_unlisted_instructor_idx ON courses (instructor_id) WHERE NOT (published AND archived_at IS NULL);
