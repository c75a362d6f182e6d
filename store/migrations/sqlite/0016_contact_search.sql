-- The contact list pages newest first, and search looks contacts up by the
-- start of their email, phone, first or last name.
CREATE INDEX contacts_created ON contacts (workspace_id, created_at, id);
CREATE INDEX contacts_phone ON contacts (workspace_id, phone);
CREATE INDEX contacts_first_name ON contacts (workspace_id, lower(first_name));
CREATE INDEX contacts_last_name ON contacts (workspace_id, lower(last_name));
