-- The catalog as instructors and admins see it is not cached and is not limited to published courses, so the partial
-- indexes of 0004 do not serve it: every page read and sorted all courses. These cover the same sorts over every course,
-- with the columns the staff visibility filter reads, so a page is an index-only walk to its offset.
CREATE INDEX courses_staff_newest_idx ON courses (created_at DESC, id DESC) INCLUDE (published, archived_at, instructor_id);
-- The title itself is carried too: without the column an expression index cannot be read index-only.
CREATE INDEX courses_staff_title_idx ON courses (lower(title), id) INCLUDE (title, published, archived_at, instructor_id);
CREATE INDEX courses_staff_price_idx ON courses (price_minor, id) INCLUDE (published, archived_at, instructor_id);
