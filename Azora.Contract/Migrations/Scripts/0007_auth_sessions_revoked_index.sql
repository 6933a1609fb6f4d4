-- The API rebuilds its Redis token denylist from the sessions revoked within the last access-token lifetime (on
-- start, and after a Redis outage); this keeps that lookup to the few recent rows instead of a scan of every session.
CREATE INDEX auth_sessions_revoked_at_idx ON auth_sessions (revoked_at) WHERE revoked_at IS NOT NULL;
