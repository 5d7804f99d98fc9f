-- A counter that moves whenever what client authentication and client credentials read
-- changes (applications, their secrets and roles, APIs and their scopes). Every node polls it
-- and drops its in-memory copies when it moves; triggers keep it honest whatever writes.
-- (A secret's last use is not part of it.)
CREATE TABLE cache_generation (
    id INTEGER PRIMARY KEY,
    n BIGINT NOT NULL
);
INSERT INTO cache_generation (id, n) VALUES (1, 0);

CREATE TRIGGER applications_insert_cache AFTER INSERT ON applications
BEGIN UPDATE cache_generation SET n = n + 1 WHERE id = 1; END;

CREATE TRIGGER applications_delete_cache AFTER DELETE ON applications
BEGIN UPDATE cache_generation SET n = n + 1 WHERE id = 1; END;

CREATE TRIGGER applications_update_cache AFTER UPDATE ON applications
BEGIN UPDATE cache_generation SET n = n + 1 WHERE id = 1; END;

CREATE TRIGGER application_secrets_insert_cache AFTER INSERT ON application_secrets
BEGIN UPDATE cache_generation SET n = n + 1 WHERE id = 1; END;

CREATE TRIGGER application_secrets_delete_cache AFTER DELETE ON application_secrets
BEGIN UPDATE cache_generation SET n = n + 1 WHERE id = 1; END;

CREATE TRIGGER application_secrets_update_cache AFTER UPDATE OF application_id, name, secret_hash, expires_at ON application_secrets
BEGIN UPDATE cache_generation SET n = n + 1 WHERE id = 1; END;

CREATE TRIGGER resources_insert_cache AFTER INSERT ON resources
BEGIN UPDATE cache_generation SET n = n + 1 WHERE id = 1; END;

CREATE TRIGGER resources_delete_cache AFTER DELETE ON resources
BEGIN UPDATE cache_generation SET n = n + 1 WHERE id = 1; END;

CREATE TRIGGER resources_update_cache AFTER UPDATE ON resources
BEGIN UPDATE cache_generation SET n = n + 1 WHERE id = 1; END;

CREATE TRIGGER scopes_insert_cache AFTER INSERT ON scopes
BEGIN UPDATE cache_generation SET n = n + 1 WHERE id = 1; END;

CREATE TRIGGER scopes_delete_cache AFTER DELETE ON scopes
BEGIN UPDATE cache_generation SET n = n + 1 WHERE id = 1; END;

CREATE TRIGGER scopes_update_cache AFTER UPDATE ON scopes
BEGIN UPDATE cache_generation SET n = n + 1 WHERE id = 1; END;

CREATE TRIGGER roles_insert_cache AFTER INSERT ON roles
BEGIN UPDATE cache_generation SET n = n + 1 WHERE id = 1; END;

CREATE TRIGGER roles_delete_cache AFTER DELETE ON roles
BEGIN UPDATE cache_generation SET n = n + 1 WHERE id = 1; END;

CREATE TRIGGER roles_update_cache AFTER UPDATE ON roles
BEGIN UPDATE cache_generation SET n = n + 1 WHERE id = 1; END;

CREATE TRIGGER roles_scopes_insert_cache AFTER INSERT ON roles_scopes
BEGIN UPDATE cache_generation SET n = n + 1 WHERE id = 1; END;

CREATE TRIGGER roles_scopes_delete_cache AFTER DELETE ON roles_scopes
BEGIN UPDATE cache_generation SET n = n + 1 WHERE id = 1; END;

CREATE TRIGGER roles_scopes_update_cache AFTER UPDATE ON roles_scopes
BEGIN UPDATE cache_generation SET n = n + 1 WHERE id = 1; END;

CREATE TRIGGER applications_roles_insert_cache AFTER INSERT ON applications_roles
BEGIN UPDATE cache_generation SET n = n + 1 WHERE id = 1; END;

CREATE TRIGGER applications_roles_delete_cache AFTER DELETE ON applications_roles
BEGIN UPDATE cache_generation SET n = n + 1 WHERE id = 1; END;

CREATE TRIGGER applications_roles_update_cache AFTER UPDATE ON applications_roles
BEGIN UPDATE cache_generation SET n = n + 1 WHERE id = 1; END;
