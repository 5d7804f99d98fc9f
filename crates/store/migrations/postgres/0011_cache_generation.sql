-- A counter that moves whenever what client authentication and client credentials read
-- changes (applications, their secrets and roles, APIs and their scopes). Every node polls it
-- and drops its in-memory copies when it moves; triggers keep it honest whatever writes.
CREATE TABLE cache_generation (
    id INTEGER PRIMARY KEY,
    n BIGINT NOT NULL
);
INSERT INTO cache_generation (id, n) VALUES (1, 0);

CREATE FUNCTION bump_cache_generation() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    UPDATE cache_generation SET n = n + 1 WHERE id = 1;
    RETURN NULL;
END
$$;

CREATE TRIGGER applications_cache AFTER INSERT OR UPDATE OR DELETE ON applications
    FOR EACH STATEMENT EXECUTE FUNCTION bump_cache_generation();

CREATE TRIGGER application_secrets_cache AFTER INSERT OR UPDATE OF application_id, name, secret_hash, expires_at OR DELETE ON application_secrets
    FOR EACH STATEMENT EXECUTE FUNCTION bump_cache_generation();

CREATE TRIGGER resources_cache AFTER INSERT OR UPDATE OR DELETE ON resources
    FOR EACH STATEMENT EXECUTE FUNCTION bump_cache_generation();

CREATE TRIGGER scopes_cache AFTER INSERT OR UPDATE OR DELETE ON scopes
    FOR EACH STATEMENT EXECUTE FUNCTION bump_cache_generation();

CREATE TRIGGER roles_cache AFTER INSERT OR UPDATE OR DELETE ON roles
    FOR EACH STATEMENT EXECUTE FUNCTION bump_cache_generation();

CREATE TRIGGER roles_scopes_cache AFTER INSERT OR UPDATE OR DELETE ON roles_scopes
    FOR EACH STATEMENT EXECUTE FUNCTION bump_cache_generation();

CREATE TRIGGER applications_roles_cache AFTER INSERT OR UPDATE OR DELETE ON applications_roles
    FOR EACH STATEMENT EXECUTE FUNCTION bump_cache_generation();
