package smtptest

import (
	"fmt"
	"net/smtp"
	"strings"
	"testing"
	"time"
)

// A message with nested multiparts and base64 and quoted-printable parts, as
// other mailers write them.
const nested = "From: a@x.example\r\nTo: b@y.example\r\nSubject: =?UTF-8?B?SMOpbGxv?=\r\n" +
	"MIME-Version: 1.0\r\nContent-Type: multipart/mixed; boundary=OUT\r\n\r\n" +
	"--OUT\r\nContent-Type: multipart/alternative; boundary=IN\r\n\r\n" +
	"--IN\r\nContent-Type: text/plain; charset=UTF-8\r\nContent-Transfer-Encoding: quoted-printable\r\n\r\nGr=C3=BC=C3=9Fe\r\n" +
	"--IN\r\nContent-Type: text/html; charset=UTF-8\r\nContent-Transfer-Encoding: base64\r\n\r\nPHA+R3LDvMOfZTwv\r\ncD4=\r\n" +
	"--IN--\r\n--OUT--\r\n"

func TestServerReceivesParsesAndFails(t *testing.T) {
	s := NewServer(t)
	host, port := s.Addr()
	user, pass := s.Credentials()
	addr := fmt.Sprintf("%s:%d", host, port)
	auth := smtp.PlainAuth("", user, pass, host)

	if err := smtp.SendMail(addr, auth, "a@x.example", []string{"b@y.example"}, []byte(nested)); err != nil {
		t.Fatal(err)
	}
	m := s.WaitFor(1, 5*time.Second)[0]
	if m.From != "a@x.example" || len(m.To) != 1 || m.To[0] != "b@y.example" {
		t.Errorf("envelope %q → %q", m.From, m.To)
	}
	if m.Subject() != "Héllo" || m.ContentType() != "multipart/mixed" {
		t.Errorf("subject %q, type %q", m.Subject(), m.ContentType())
	}
	if strings.TrimSpace(m.Text) != "Grüße" || m.HTML != "<p>Grüße</p>" {
		t.Errorf("text %q, html %q", m.Text, m.HTML)
	}

	s.FailNext(1, 550, "5.1.1 no such user")
	err := smtp.SendMail(addr, auth, "a@x.example", []string{"b@y.example"}, []byte(nested))
	if err == nil || !strings.Contains(err.Error(), "550") {
		t.Errorf("FailNext: err = %v", err)
	}
	if err := smtp.SendMail(addr, smtp.PlainAuth("", user, "wrong", host), "a@x.example", []string{"b@y.example"}, []byte(nested)); err == nil {
		t.Error("wrong password accepted")
	}
	if got := s.Count(); got != 1 {
		t.Errorf("count = %d, want 1", got)
	}
	if got := s.Connections(); got != 3 {
		t.Errorf("connections = %d, want 3", got)
	}
}
