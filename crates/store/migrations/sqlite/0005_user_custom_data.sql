-- Free-form data an administrator keeps about a user, released with the custom_data scope.
ALTER TABLE users ADD COLUMN custom_data TEXT NOT NULL DEFAULT '{}';
