-- The -price sort (most expensive first, ties by id ascending) mixes directions, so no index of 0004 or 0015 can be
-- walked in its order: every page sorted each price's courses to reach its offset. These are walked forwards for it,
-- and backwards for a page found from the catalog's other end.
CREATE INDEX courses_staff_price_desc_idx ON courses (price_minor DESC, id) INCLUDE (published, archived_at, instructor_id);
CREATE INDEX courses_catalog_price_desc_idx ON courses (price_minor DESC, id) WHERE published AND archived_at IS NULL;
