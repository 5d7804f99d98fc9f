-- The built-in role of administrators: people who hold it may use the management API.
INSERT INTO roles (id, name, description, type, created_at)
VALUES ('latchkey-admin', 'Latchkey administrator', 'Manages Latchkey: every operation of the management API', 'User', 0);
INSERT INTO roles_scopes (role_id, scope_id) VALUES ('latchkey-admin', 'management-api-all');
