-- name: contact-list
-- Live contacts, newest first, after the cursor ($2 created_at, $3 id).
SELECT workspace_id, id, email, phone, first_name, last_name, attributes, merged_into, created_at, updated_at
FROM contacts
WHERE workspace_id = $1 AND merged_into = '' AND (created_at < $2 OR (created_at = $2 AND id < $3))
ORDER BY created_at DESC, id DESC LIMIT $4;

-- name: contact-search
-- Live contacts whose email or phone starts with $5 (up to $6), whose first
-- or last name starts with $7 (up to $8) in lower case, or whose id is $9;
-- newest first after the cursor.
SELECT workspace_id, id, email, phone, first_name, last_name, attributes, merged_into, created_at, updated_at
FROM contacts
WHERE workspace_id = $1 AND merged_into = ''
  AND ((email >= $5 AND email < $6) OR (phone >= $5 AND phone < $6)
       OR (lower(first_name) >= $7 AND lower(first_name) < $8)
       OR (lower(last_name) >= $7 AND lower(last_name) < $8)
       OR id = $9)
  AND (created_at < $2 OR (created_at = $2 AND id < $3))
ORDER BY created_at DESC, id DESC LIMIT $4;

-- name: contact-search-full-name
-- Live contacts whose first name starts with $5 and last name with $7 (lower
-- case; $6 and $8 bound the prefixes), newest first after the cursor.
SELECT workspace_id, id, email, phone, first_name, last_name, attributes, merged_into, created_at, updated_at
FROM contacts
WHERE workspace_id = $1 AND merged_into = ''
  AND lower(first_name) >= $5 AND lower(first_name) < $6
  AND lower(last_name) >= $7 AND lower(last_name) < $8
  AND (created_at < $2 OR (created_at = $2 AND id < $3))
ORDER BY created_at DESC, id DESC LIMIT $4;
