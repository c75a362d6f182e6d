package bounce

import (
	"bytes"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func sample(t testing.TB, name string) []byte {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("testdata", name))
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func TestParseSamples(t *testing.T) {
	cases := []struct {
		file, kind, rcpt, status, outcome, diag string
	}{
		{"postfix_hard.eml", KindDSN, "gone@example.net", "5.1.1", Hard, "User unknown"},
		{"gmail_hard.eml", KindDSN, "nobody.here@gmail.com", "5.1.1", Hard, "does not exist"},
		{"exchange_soft.eml", KindDSN, "full@contoso.example", "4.2.2", Soft, "Mailbox full"},
		{"delayed.eml", KindDSN, "slow@example.org", "4.4.1", Other, ""},
	}
	for _, c := range cases {
		t.Run(c.file, func(t *testing.T) {
			rep, err := Parse(bytes.NewReader(sample(t, c.file)))
			if err != nil {
				t.Fatal(err)
			}
			if rep.Kind != c.kind || len(rep.Recipients) != 1 {
				t.Fatalf("report %+v", rep)
			}
			r := rep.Recipients[0]
			if r.FinalRecipient != c.rcpt || r.Status != c.status || r.Outcome() != c.outcome || !strings.Contains(r.DiagnosticCode, c.diag) {
				t.Fatalf("recipient %+v (outcome %s)", r, r.Outcome())
			}
		})
	}
}

func TestParseARF(t *testing.T) {
	rep, err := Parse(bytes.NewReader(sample(t, "arf_abuse.eml")))
	if err != nil {
		t.Fatal(err)
	}
	f := rep.Feedback
	if rep.Kind != KindComplaint || f.Type != "abuse" || f.OriginalRcptTo != "angry@example.net" || f.SourceIP != "192.0.2.1" {
		t.Fatalf("report %+v", rep)
	}
	if got := rep.Original.Get("Message-Id"); got != "<msg_test@shop.example>" {
		t.Fatalf("original Message-ID %q", got)
	}
	v := NewVERP([]byte("k"), "bounce.shop.example")
	addr, _ := v.Address(Ref{WorkspaceID: "ws_test", MessageID: "msg_test"})
	rep.Original["Return-Path"] = []string{"<" + addr + ">"}
	if ref, ok := v.FindIn(rep.Original); !ok || ref.MessageID != "msg_test" {
		t.Fatalf("FindIn %v %v", ref, ok)
	}
}

func TestParseRefuses(t *testing.T) {
	for name, in := range map[string]string{
		"plain mail":  string(sample(t, "not_report.eml")),
		"empty":       "",
		"garbage":     "\x00\x01\x02 not mail at all",
		"wrong type":  "Content-Type: multipart/report; report-type=disposition-notification; boundary=b\r\n\r\n--b\r\nContent-Type: message/disposition-notification\r\n\r\nFinal-Recipient: rfc822; a@b\r\n--b--\r\n",
		"no status":   "Content-Type: multipart/report; report-type=delivery-status; boundary=b\r\n\r\n--b\r\nContent-Type: text/plain\r\n\r\nhi\r\n--b--\r\n",
		"no rcpt":     "Content-Type: multipart/report; report-type=delivery-status; boundary=b\r\n\r\n--b\r\nContent-Type: message/delivery-status\r\n\r\nReporting-MTA: dns; x\r\n\r\nAction: failed\r\n--b--\r\n",
		"no boundary": "Content-Type: multipart/report; report-type=delivery-status\r\n\r\nx\r\n",
	} {
		if _, err := Parse(strings.NewReader(in)); !errors.Is(err, ErrNotReport) {
			t.Errorf("%s: err %v, want ErrNotReport", name, err)
		}
	}
}

func TestVERP(t *testing.T) {
	v := NewVERP([]byte("secret"), "Bounce.Shop.Example")
	ref := Ref{WorkspaceID: "ws_abcdefghijklmnop", MessageID: "msg_abcdefghijklmnop"}
	addr, ok := v.Address(ref)
	local, _, _ := strings.Cut(addr, "@")
	if !ok || len(local) > 64 {
		t.Fatalf("address %q (local part %d > 64?)", addr, len(local))
	}
	for _, a := range []string{addr, strings.ToUpper(addr), "<" + addr + ">"} {
		if got, err := v.Parse(a); err != nil || got != ref {
			t.Fatalf("Parse(%q) = %v, %v", a, got, err)
		}
	}
	forged := strings.Replace(addr, "msg_abcdefghijklmnop", "msg_abcdefghijklmnoq", 1)
	other := NewVERP([]byte("other"), "bounce.shop.example")
	for _, a := range []string{forged, strings.Replace(addr, "bounce.shop", "x.shop", 1), "bounces@bounce.shop.example", "x@y"} {
		if _, err := v.Parse(a); !errors.Is(err, ErrBadAddress) {
			t.Errorf("Parse(%q) accepted", a)
		}
	}
	if _, err := other.Parse(addr); err == nil {
		t.Error("another key's address accepted")
	}
	if _, ok := v.Address(Ref{WorkspaceID: "ws.x", MessageID: "m"}); ok {
		t.Error("an id with a dot got an address")
	}
}

func FuzzParse(f *testing.F) {
	for _, n := range []string{"postfix_hard.eml", "gmail_hard.eml", "exchange_soft.eml", "delayed.eml", "arf_abuse.eml", "not_report.eml"} {
		f.Add(sample(f, n))
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		rep, err := Parse(bytes.NewReader(b))
		if err != nil {
			if !errors.Is(err, ErrNotReport) {
				t.Fatalf("error not wrapping ErrNotReport: %v", err)
			}
			return
		}
		switch rep.Kind {
		case KindDSN:
			if len(rep.Recipients) == 0 {
				t.Fatal("a DSN without recipients")
			}
			for _, r := range rep.Recipients {
				if r.FinalRecipient == "" || !strings.Contains(r.FinalRecipient, "@") {
					t.Fatalf("recipient %+v", r)
				}
				_ = r.Outcome()
			}
		case KindComplaint:
			if rep.Feedback.Type == "" {
				t.Fatal("a complaint without a type")
			}
		default:
			t.Fatalf("kind %q", rep.Kind)
		}
	})
}
