-- The course catalog and learning. Prices are in minor units (cents) with an ISO 4217 currency; 0 means free.
CREATE TABLE categories (
    id          uuid        PRIMARY KEY,
    slug        text        NOT NULL UNIQUE CHECK (slug ~ '^[a-z0-9]+(-[a-z0-9]+)*$' AND length(slug) <= 80),
    name        text        NOT NULL CHECK (length(name) BETWEEN 1 AND 100),
    created_at  timestamptz NOT NULL
);

CREATE TABLE courses (
    id            uuid        PRIMARY KEY,
    slug          text        NOT NULL UNIQUE CHECK (slug ~ '^[a-z0-9]+(-[a-z0-9]+)*$' AND length(slug) <= 120),
    title         text        NOT NULL CHECK (length(title) BETWEEN 1 AND 200),
    description   text        NOT NULL CHECK (length(description) <= 10000),
    category_id   uuid        NOT NULL REFERENCES categories (id),
    level         text        NOT NULL CHECK (level IN ('beginner', 'intermediate', 'advanced')),
    price_minor   bigint      NOT NULL CHECK (price_minor >= 0 AND price_minor <= 100000000),
    currency      text        NOT NULL CHECK (currency ~ '^[A-Z]{3}$'),
    instructor_id uuid        NOT NULL REFERENCES users (id),
    published     boolean     NOT NULL DEFAULT false,
    archived_at   timestamptz NULL,
    created_at    timestamptz NOT NULL,
    updated_at    timestamptz NOT NULL,
    search        tsvector    GENERATED ALWAYS AS (
                      setweight(to_tsvector('simple', title), 'A') || setweight(to_tsvector('simple', description), 'B')) STORED
);

CREATE INDEX courses_catalog_idx ON courses (created_at DESC, id) WHERE published AND archived_at IS NULL;
CREATE INDEX courses_category_idx ON courses (category_id);
CREATE INDEX courses_instructor_idx ON courses (instructor_id);
CREATE INDEX courses_search_idx ON courses USING gin (search);

CREATE TABLE lessons (
    id               uuid        PRIMARY KEY,
    course_id        uuid        NOT NULL REFERENCES courses (id) ON DELETE CASCADE,
    position         integer     NOT NULL CHECK (position >= 1),
    title            text        NOT NULL CHECK (length(title) BETWEEN 1 AND 200),
    duration_seconds integer     NOT NULL CHECK (duration_seconds BETWEEN 0 AND 86400),
    content_ref      text        NULL CHECK (length(content_ref) <= 500),
    created_at       timestamptz NOT NULL
);

CREATE INDEX lessons_course_idx ON lessons (course_id, position);

CREATE TABLE enrollments (
    id           uuid        PRIMARY KEY,
    user_id      uuid        NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    course_id    uuid        NOT NULL REFERENCES courses (id),
    status       text        NOT NULL CHECK (status IN ('active', 'completed', 'revoked')),
    created_at   timestamptz NOT NULL,
    updated_at   timestamptz NOT NULL,
    completed_at timestamptz NULL,
    UNIQUE (user_id, course_id)
);

CREATE INDEX enrollments_course_idx ON enrollments (course_id) WHERE status <> 'revoked';

CREATE TABLE lesson_completions (
    enrollment_id uuid        NOT NULL REFERENCES enrollments (id) ON DELETE CASCADE,
    lesson_id     uuid        NOT NULL REFERENCES lessons (id) ON DELETE CASCADE,
    completed_at  timestamptz NOT NULL,
    PRIMARY KEY (enrollment_id, lesson_id)
);
