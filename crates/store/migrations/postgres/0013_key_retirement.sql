-- When each signing key stopped signing (became previous), so that a rotation keeps it
-- published until every token it signed has expired. A key already previous when this runs
-- retired at an unknown time: it counts as retired now.
ALTER TABLE signing_keys ADD COLUMN retired_at BIGINT;
UPDATE signing_keys SET retired_at = (EXTRACT(EPOCH FROM now()) * 1000)::BIGINT
    WHERE state = 'previous';
