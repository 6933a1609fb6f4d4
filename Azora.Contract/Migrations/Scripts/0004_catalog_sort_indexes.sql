-- The public catalog sorted by title or price reads these instead of sorting every published course per request.
CREATE INDEX courses_catalog_title_idx ON courses (lower(title), id) WHERE published AND archived_at IS NULL;
CREATE INDEX courses_catalog_price_idx ON courses (price_minor, id) WHERE published AND archived_at IS NULL;
