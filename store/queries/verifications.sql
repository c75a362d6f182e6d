-- name: verification-get
SELECT contact_id, source, verified_at, expires_at FROM visitor_verifications
WHERE workspace_id = $1 AND visitor_id = $2;

-- name: verification-put
INSERT INTO visitor_verifications (workspace_id, visitor_id, contact_id, source, verified_at, expires_at)
VALUES ($1, $2, $3, $4, $5, $6)
ON CONFLICT (workspace_id, visitor_id) DO UPDATE SET contact_id = excluded.contact_id, source = excluded.source,
    verified_at = excluded.verified_at, expires_at = excluded.expires_at;

-- name: proof-use
-- A proof is used by the first visitor presenting it; the same visitor may
-- present it again (a retried request), nobody else may.
INSERT INTO visitor_proofs_used (workspace_id, proof_id, visitor_id, expires_at) VALUES ($1, $2, $3, $4)
ON CONFLICT (workspace_id, proof_id) DO NOTHING;

-- name: proof-user
SELECT visitor_id FROM visitor_proofs_used WHERE workspace_id = $1 AND proof_id = $2;

-- name: proof-prune
DELETE FROM visitor_proofs_used WHERE expires_at < $1;

-- name: erase-verifications-visitor
DELETE FROM visitor_verifications WHERE workspace_id = $1 AND visitor_id = $2;

-- name: erase-verifications-contact
DELETE FROM visitor_verifications WHERE workspace_id = $1 AND contact_id = $2;

-- name: erase-workspace-verifications
DELETE FROM visitor_verifications WHERE workspace_id = $1;

-- name: erase-workspace-proofs
DELETE FROM visitor_proofs_used WHERE workspace_id = $1;

-- name: identity-known-count
-- How many identifiers other than visitor ids a contact has: none means it
-- is a browser's anonymous contact.
SELECT count(*) FROM identities WHERE workspace_id = $1 AND contact_id = $2 AND kind <> 'visitor';
