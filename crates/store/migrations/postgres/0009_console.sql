-- The admin console signs administrators in through Latchkey's own authorization code flow,
-- as a public client with PKCE. Its redirect URIs are set from the public URL at start-up.
INSERT INTO applications (id, name, description, type, created_at)
VALUES ('latchkey-console', 'Latchkey console', 'The admin console, built in.', 'SPA', 0);
