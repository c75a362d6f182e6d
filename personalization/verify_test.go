package personalization

import (
	"slices"
	"testing"
	"time"

	"github.com/cartwheelhq/cartwheel/cdp"
	"github.com/cartwheelhq/cartwheel/store"
)

// The rule at the Decider: an identified browser sees its contact's
// private data (unread count, other devices' views) only while verified as
// that contact, across a restart, and not once the verification expired.
func TestVerificationGatesPrivateData(t *testing.T) {
	e := newEnv(t)
	e.products(6)
	e.template("inbox")
	// Ann's phone: identified by her, views p2.
	e.log(e.ev("identify", "phone", "s0", `{"email":"ann@example.com"}`), e.view("phone", "s0", "p2"))
	ann, err := e.st.ContactByEmail(e.ctx, wsA, "ann@example.com")
	if err != nil {
		t.Fatal(err)
	}
	if _, _, err := e.st.CreateMessage(e.ctx, store.Message{ID: "m1", WorkspaceID: wsA, ContactID: ann.ID, Channel: store.ChannelInbox,
		Status: store.MessageSent, StepKey: "t:m1", CreatedAt: t0}); err != nil {
		t.Fatal(err)
	}
	// The laptop views p5 anonymously, then identifies page-side.
	e.log(e.view("laptop", "s1", "p5"), e.ev("identify", "laptop", "s1", `{"email":"ann@example.com"}`))
	check := func(what string, unread int, viewed []string, contact string) {
		t.Helper()
		d, _ := e.decide(DecideRequest{VisitorID: "laptop", SessionID: "s1"})
		v, err := e.d.Inbox(e.ctx, wsA, "laptop")
		if err != nil {
			t.Fatal(err)
		}
		var ids []string
		for _, p := range v.RecentlyViewed {
			ids = append(ids, p.ID)
		}
		slices.Sort(ids)
		if d.Inbox == nil || d.Inbox.Unread != unread || !slices.Equal(ids, viewed) || v.ContactID != contact {
			t.Errorf("%s: unread %+v, viewed %v, contact %q; want %d, %v, %q", what, d.Inbox, ids, v.ContactID, unread, viewed, contact)
		}
	}
	check("identified, unverified", 0, []string{"p5"}, "")
	e.d = e.decider() // a restart: the browser's own views come from its events
	check("unverified after a restart", 0, []string{"p5"}, "")

	ok, err := e.d.Verify(e.ctx, Verification{WorkspaceID: wsA, VisitorID: "laptop", ContactID: ann.ID, Source: VerifiedEmailLink,
		TTL: time.Hour, ProofID: "proof-1", ProofExpiry: e.clock().Add(time.Minute), IdentifySource: "email_link",
		Identify: map[string]any{"email": "ann@example.com"}})
	if err != nil || !ok {
		t.Fatalf("Verify = %v, %v", ok, err)
	}
	e.process()
	check("verified", 1, []string{"p2", "p5"}, ann.ID)
	e.d = e.decider()
	check("verified after a restart", 1, []string{"p2", "p5"}, ann.ID)

	// A second link's proof, presented by the already verified browser, is
	// spent too. Another browser cannot reuse either.
	if ok, err := e.d.Verify(e.ctx, Verification{WorkspaceID: wsA, VisitorID: "laptop", ContactID: ann.ID, Source: VerifiedEmailLink,
		TTL: time.Hour, ProofID: "proof-2", ProofExpiry: e.clock().Add(time.Minute)}); err != nil || !ok {
		t.Fatalf("second proof = %v, %v", ok, err)
	}
	for _, p := range []string{"proof-1", "proof-2"} {
		if _, err := e.d.Verify(e.ctx, Verification{WorkspaceID: wsA, VisitorID: "eve", ContactID: ann.ID, Source: VerifiedEmailLink,
			TTL: time.Hour, ProofID: p, ProofExpiry: e.clock().Add(time.Minute)}); err != store.ErrProofUsed {
			t.Errorf("used %s on another browser: %v", p, err)
		}
	}

	e.advance(2 * time.Hour)
	e.d = e.decider()
	check("expired", 0, []string{"p5"}, "")
	if c, _ := e.st.ContactByIdentity(e.ctx, wsA, cdp.KindVisitor, "laptop"); c.ID != ann.ID {
		t.Errorf("the laptop's behaviour no longer joins Ann: %q", c.ID)
	}
}
