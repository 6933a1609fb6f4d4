-- Lesson content and certificates.
-- A lesson's content is Markdown, stored as the author wrote it (clients render it safely); the video is an absolute
-- https URL. content_ref stays beside them: the author's own reference (a source file, an upload id), never shown to
-- learners. A preview lesson of a published course is readable by anyone.
ALTER TABLE lessons
    ADD COLUMN content   text    NOT NULL DEFAULT '' CHECK (length(content) <= 100000),
    ADD COLUMN video_url text    NULL CHECK (video_url ~ '^https://' AND length(video_url) <= 2000),
    ADD COLUMN preview   boolean NOT NULL DEFAULT false;

-- One certificate per enrollment, written in the transaction that completes it. The learner's name and the course's
-- title are copied as they were at completion: a certificate never changes after it is issued. Its id is random (not
-- time-ordered) because anyone holding it can verify the certificate publicly.
CREATE TABLE certificates (
    id            uuid        PRIMARY KEY,
    enrollment_id uuid        NOT NULL UNIQUE REFERENCES enrollments (id) ON DELETE CASCADE,
    user_id       uuid        NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    course_id     uuid        NOT NULL REFERENCES courses (id),
    learner_name  text        NOT NULL CHECK (length(learner_name) BETWEEN 1 AND 100),
    course_title  text        NOT NULL CHECK (length(course_title) BETWEEN 1 AND 200),
    completed_at  timestamptz NOT NULL
);

CREATE INDEX certificates_user_idx ON certificates (user_id, completed_at DESC, id DESC);
