package store

import (
	"context"
	"errors"
	"testing"
	"time"
)

// Bindings are replaced per visitor, a single-use proof verifies one
// browser only, and erasing the contact erases its browsers' bindings.
func TestVerificationsSingleUseAndErased(t *testing.T) {
	st := openTest(t)
	ctx := context.Background()
	now := time.Now().UTC().Truncate(time.Millisecond)
	if _, err := st.Verification(ctx, "ws", "v1"); !errors.Is(err, ErrNotFound) {
		t.Fatalf("no binding yet: %v", err)
	}
	v := Verification{WorkspaceID: "ws", VisitorID: "v1", ContactID: "ct_a", Source: "email_link", VerifiedAt: now, ExpiresAt: now.Add(time.Hour)}
	if err := st.SaveVerification(ctx, v, "proof-1", now.Add(time.Minute)); err != nil {
		t.Fatal(err)
	}
	if err := st.SaveVerification(ctx, v, "proof-1", now.Add(time.Minute)); err != nil {
		t.Errorf("the same browser again: %v", err)
	}
	v2 := v
	v2.VisitorID = "v2"
	if err := st.SaveVerification(ctx, v2, "proof-1", now.Add(time.Minute)); !errors.Is(err, ErrProofUsed) {
		t.Errorf("another browser with a used proof: %v", err)
	}
	if _, err := st.Verification(ctx, "ws", "v2"); !errors.Is(err, ErrNotFound) {
		t.Errorf("the refused browser got a binding: %v", err)
	}
	got, err := st.Verification(ctx, "ws", "v1")
	if err != nil || got.ContactID != "ct_a" || got.Source != "email_link" || !got.ExpiresAt.Equal(now.Add(time.Hour)) {
		t.Fatalf("binding %+v, %v", got, err)
	}
	// A spent proof is pruned once it would have expired anyway.
	v3 := v2
	v3.VerifiedAt = now.Add(2 * time.Minute)
	if err := st.SaveVerification(ctx, v3, "proof-2", now.Add(5*time.Minute)); err != nil {
		t.Fatal(err)
	}
	var n int
	if err := st.r.QueryRowContext(ctx, `SELECT count(*) FROM visitor_proofs_used WHERE proof_id = 'proof-1'`).Scan(&n); err != nil || n != 0 {
		t.Errorf("expired spent proof kept: %d %v", n, err)
	}
	if _, err := st.EraseContact(ctx, "ws", "ct_a", "", nil); err != nil {
		t.Fatal(err)
	}
	for _, vis := range []string{"v1", "v2"} {
		if _, err := st.Verification(ctx, "ws", vis); !errors.Is(err, ErrNotFound) {
			t.Errorf("binding of %s survived the contact's erasure: %v", vis, err)
		}
	}
}
