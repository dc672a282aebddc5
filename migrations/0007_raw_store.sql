-- Raw message bytes may live in a content-addressed file store beside the embedded database
-- (src/db/raw-store.ts): raw_path names the file (relative to the store, derived from sha256) and
-- raw stays null. On PostgreSQL the bytes stay in raw and raw_path is null. A row never has both.
ALTER TABLE messages ADD COLUMN raw_path text;
ALTER TABLE messages ADD CONSTRAINT messages_raw_one_place CHECK (raw IS NULL OR raw_path IS NULL);
-- Deleting a message asks whether another row still holds the same file.
CREATE INDEX messages_raw_path_idx ON messages (raw_path) WHERE raw_path IS NOT NULL;
