package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"
)

// verificationQueries are the queries of visitor verifications: which
// browsers proved they are which contact (migration 0011).
type verificationQueries struct {
	VerificationGet             string `query:"verification-get"`
	VerificationPut             string `query:"verification-put"`
	ProofUse                    string `query:"proof-use"`
	ProofUser                   string `query:"proof-user"`
	ProofPrune                  string `query:"proof-prune"`
	EraseVerificationsVisitor   string `query:"erase-verifications-visitor"`
	EraseVerificationsContact   string `query:"erase-verifications-contact"`
	EraseWorkspaceVerifications string `query:"erase-workspace-verifications"`
	EraseWorkspaceProofs        string `query:"erase-workspace-proofs"`
	IdentityKnownCount          string `query:"identity-known-count"`
}

// Verification binds a browser (visitor id) to the contact it proved to
// be, with the proof's source and how long the binding holds.
type Verification struct {
	WorkspaceID string
	VisitorID   string
	ContactID   string
	Source      string
	VerifiedAt  time.Time
	ExpiresAt   time.Time
}

// ErrProofUsed is returned by SaveVerification when a single-use proof was
// already exchanged by another visitor.
var ErrProofUsed = errors.New("store: proof already used by another visitor")

// Verification returns a visitor's binding, ErrNotFound when it has none
// (expired ones are returned: the caller compares ExpiresAt).
func (s *Store) Verification(ctx context.Context, workspaceID, visitorID string) (Verification, error) {
	v := Verification{WorkspaceID: workspaceID, VisitorID: visitorID}
	var at, exp int64
	err := s.r.QueryRowContext(ctx, s.q.VerificationGet, workspaceID, visitorID).Scan(&v.ContactID, &v.Source, &at, &exp)
	if errors.Is(err, sql.ErrNoRows) {
		return v, ErrNotFound
	}
	if err != nil {
		return v, fmt.Errorf("verification: %w", err)
	}
	v.VerifiedAt, v.ExpiresAt = fromMS(at), fromMS(exp)
	return v, nil
}

// SaveVerification records v, replacing the visitor's previous binding.
// When proofID is not empty the proof is single-use: it is recorded (until
// proofExpiry) in the same transaction, and a proof another visitor already
// presented is ErrProofUsed and changes nothing. Spent proofs past their
// expiry are pruned on the way.
func (s *Store) SaveVerification(ctx context.Context, v Verification, proofID string, proofExpiry time.Time) error {
	return s.tx(ctx, func(tx *sql.Tx) error {
		if proofID != "" {
			if _, err := tx.ExecContext(ctx, s.q.ProofPrune, ms(v.VerifiedAt)); err != nil {
				return fmt.Errorf("prune proofs: %w", err)
			}
			if _, err := tx.ExecContext(ctx, s.q.ProofUse, v.WorkspaceID, proofID, v.VisitorID, ms(proofExpiry)); err != nil {
				return fmt.Errorf("use proof: %w", err)
			}
			var user string
			if err := tx.QueryRowContext(ctx, s.q.ProofUser, v.WorkspaceID, proofID).Scan(&user); err != nil {
				return fmt.Errorf("proof user: %w", err)
			}
			if user != v.VisitorID {
				return ErrProofUsed
			}
		}
		if _, err := tx.ExecContext(ctx, s.q.VerificationPut, v.WorkspaceID, v.VisitorID, v.ContactID, v.Source,
			ms(v.VerifiedAt), ms(v.ExpiresAt)); err != nil {
			return fmt.Errorf("save verification: %w", err)
		}
		return nil
	})
}

// KnownContact reports whether a contact has identifiers other than visitor
// ids (an email, a phone, a platform customer id): the identity processor
// does not let a browser's unproven claim merge such a contact away.
func (t *Tx) KnownContact(workspaceID, contactID string) (bool, error) {
	var n int
	if err := t.tx.QueryRowContext(t.ctx, t.q.IdentityKnownCount, workspaceID, contactID).Scan(&n); err != nil {
		return false, fmt.Errorf("known contact: %w", err)
	}
	return n > 0, nil
}
