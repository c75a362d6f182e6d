-- A scratch table for the write probe: while writes fail (disk full), the
-- server inserts and deletes one padded row here to learn, without waiting
-- for a client, when the database can take writes again.
CREATE TABLE write_probe (
    id  INTEGER PRIMARY KEY,
    pad BLOB NOT NULL
);
