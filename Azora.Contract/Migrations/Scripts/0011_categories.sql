-- The categories courses are filed under are reference data every environment needs: before this, only the
-- Development sample catalog created them, so an instructor in production could never create a course. The ids are
-- the ones the sample catalog has always used (Azora.Api/Education/Seeding/SampleCatalog.cs), so existing databases
-- that were seeded keep theirs and this inserts nothing there.
INSERT INTO categories (id, slug, name, created_at)
SELECT id::uuid, slug, name, now() FROM (VALUES
    ('75ae5e0b-d216-56c0-fa07-828f24d4f244', 'programming', 'Programming'),
    ('1f3b1282-c0dd-742e-56aa-ddb73cad0306', 'data-science', 'Data Science'),
    ('822a009e-c2cb-6f88-82d2-2ec4f6e50643', 'design', 'Design'),
    ('a7df2354-8716-4192-8e0a-7e4dd307da21', 'business', 'Business'),
    ('612da70b-a765-a68f-cd77-c7ae5fab05c8', 'languages', 'Languages'),
    ('d5af0644-0469-1c5e-4bad-74669facba4d', 'music', 'Music')
) AS reference (id, slug, name)
ON CONFLICT DO NOTHING;
