-- Standard profile claims of users (OIDC Core §5.1, Logto's `profile` and `avatar`), and
-- the ID-token signing algorithm each application asked for.
ALTER TABLE users ADD COLUMN profile TEXT NOT NULL DEFAULT '{}';
ALTER TABLE users ADD COLUMN avatar TEXT;
ALTER TABLE applications ADD COLUMN id_token_signed_response_alg TEXT NOT NULL DEFAULT 'RS256'
    CHECK (id_token_signed_response_alg IN ('RS256', 'ES256'));
