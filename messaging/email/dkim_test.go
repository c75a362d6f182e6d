package email_test

import (
	"bytes"
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/emersion/go-msgauth/dkim"

	"github.com/cartwheelhq/cartwheel/messaging/email"
	"github.com/cartwheelhq/cartwheel/messaging/email/smtptest"
)

// A message signed with a generated key and sent through a real SMTP
// session verifies with go-msgauth's verifier (an implementation apart from
// the signer's), the DNS lookup answered with the record shown to the admin.
// It also goes out with the VERP envelope sender it was given.
func TestDKIMSignedMailVerifies(t *testing.T) {
	srv := smtptest.NewServer(t)
	s := newSender(t, srv, nil)
	pemKey, err := email.GenerateDKIMKey()
	if err != nil {
		t.Fatal(err)
	}
	key, err := email.ParseDKIMKey("shop.example", email.DKIMSelector, pemKey)
	if err != nil {
		t.Fatal(err)
	}
	record, err := key.RecordValue()
	if err != nil {
		t.Fatal(err)
	}
	m := testMail("ann@example.com")
	m.MessageID = "msg_dkim1"
	m.DKIM = key
	m.EnvelopeFrom = "bounces+ws_a.msg_dkim1.sig@bounce.shop.example"
	if err := s.Send(context.Background(), m); err != nil {
		t.Fatal(err)
	}
	got := srv.WaitFor(1, 5*time.Second)[0]
	if got.From != m.EnvelopeFrom {
		t.Errorf("MAIL FROM %q, want the VERP address %q", got.From, m.EnvelopeFrom)
	}
	if !bytes.Contains(got.Data, []byte("DKIM-Signature:")) {
		t.Fatalf("no DKIM-Signature in\n%s", got.Data)
	}
	lookups := 0
	opts := &dkim.VerifyOptions{LookupTXT: func(domain string) ([]string, error) {
		lookups++
		if domain != key.RecordName() {
			return nil, errors.New("no such record " + domain)
		}
		return []string{record}, nil
	}}
	vs, err := dkim.VerifyWithOptions(bytes.NewReader(got.Data), opts)
	if err != nil {
		t.Fatal(err)
	}
	if len(vs) != 1 || vs[0].Err != nil || vs[0].Domain != "shop.example" || lookups != 1 {
		t.Fatalf("verifications %+v (lookups %d)\n%s", *vs[0], lookups, got.Data)
	}
	signed := strings.ToLower(strings.Join(vs[0].HeaderKeys, ":"))
	for _, h := range []string{"from", "subject", "list-unsubscribe", "list-unsubscribe-post"} {
		if !strings.Contains(signed, h) {
			t.Errorf("header %s not signed (h=%s)", h, signed)
		}
	}

	// The same bytes with the body altered no longer verify: the check is real.
	tampered := bytes.Replace(got.Data, []byte("Warenkorb"), []byte("Warenkorp"), 1)
	vs, err = dkim.VerifyWithOptions(bytes.NewReader(tampered), opts)
	if err != nil {
		t.Fatal(err)
	}
	if len(vs) != 1 || vs[0].Err == nil {
		t.Fatalf("a tampered body verified: %+v", vs)
	}
}

func TestEnvelopeFromRefusesHeaderTricks(t *testing.T) {
	srv := smtptest.NewServer(t)
	s := newSender(t, srv, nil)
	m := testMail("ann@example.com")
	m.EnvelopeFrom = "bounces@x.example>\r\nRCPT TO:<evil@x.example"
	if err := s.Send(context.Background(), m); !errors.Is(err, email.ErrInvalidMail) {
		t.Fatalf("err %v, want ErrInvalidMail", err)
	}
}
