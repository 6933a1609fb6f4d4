-- The catalog's "popular" sort and every listed course's enrollment count read courses.enrollment_count (enrollments
-- that are not revoked) instead of counting enrollments per request: sorting by a count aggregated over all enrollments
-- cost every popular page a pass over both tables and a sort of every course. The triggers keep the column exact in the
-- transaction that writes enrollments, whoever writes them (grants, completions, refunds, cascaded deletes), one UPDATE
-- per course a statement touches.
ALTER TABLE courses ADD COLUMN enrollment_count bigint NOT NULL DEFAULT 0 CHECK (enrollment_count >= 0);

UPDATE courses c SET enrollment_count = e.n
FROM (SELECT course_id, count(*) AS n FROM enrollments WHERE status <> 'revoked' GROUP BY course_id) e
WHERE e.course_id = c.id;

-- The courses a statement changes are locked in id order first, so two transactions that each enroll in several courses
-- (the payments worker's batches) cannot lock them in opposite orders and deadlock.
CREATE FUNCTION courses_count_enrollments() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    deltas jsonb;
BEGIN
    IF TG_OP = 'INSERT' THEN
        SELECT jsonb_object_agg(course_id, n) INTO deltas
        FROM (SELECT course_id, count(*) AS n FROM inserted WHERE status <> 'revoked' GROUP BY course_id) d;
    ELSIF TG_OP = 'DELETE' THEN
        SELECT jsonb_object_agg(course_id, -n) INTO deltas
        FROM (SELECT course_id, count(*) AS n FROM deleted WHERE status <> 'revoked' GROUP BY course_id) d;
    ELSE
        SELECT jsonb_object_agg(course_id, n) INTO deltas
        FROM (SELECT course_id, sum(n) AS n FROM (
                  SELECT course_id, 1 AS n FROM updated_new WHERE status <> 'revoked'
                  UNION ALL
                  SELECT course_id, -1 FROM updated_old WHERE status <> 'revoked') moves
              GROUP BY course_id HAVING sum(n) <> 0) d;
    END IF;
    IF deltas IS NOT NULL THEN
        PERFORM FROM courses c WHERE c.id IN (SELECT key::uuid FROM jsonb_each(deltas)) ORDER BY c.id FOR NO KEY UPDATE;
        UPDATE courses c SET enrollment_count = c.enrollment_count + d.value::bigint
        FROM jsonb_each_text(deltas) d WHERE c.id = d.key::uuid;
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
