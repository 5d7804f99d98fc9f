-- An API scope's description in other languages: a JSON object of language tag to text
-- (`{"fr": "Lire vos documents"}`), each replacing `description` on pages in that language.
ALTER TABLE scopes ADD COLUMN descriptions TEXT NOT NULL DEFAULT '{}';
