package smtptest

import (
	"net"
	"net/smtp"
	"strconv"
	"testing"
	"time"
)

// HoldData keeps a message unanswered; released, it is taken from a sender
// still waiting and refused (Dropped) when the sender hung up meanwhile.
func TestHoldData(t *testing.T) {
	s := NewServer(t, WithAuth("", ""))
	host, port := s.Addr()
	addr := net.JoinHostPort(host, strconv.Itoa(port))
	s.HoldData()

	// A sender that waits for the answer.
	sent := make(chan error, 1)
	go func() { sent <- smtp.SendMail(addr, nil, "a@x.example", []string{"b@y.example"}, []byte(nested)) }()
	waitHeld(t, s, 1)

	// A sender that hangs up while held.
	c, err := net.Dial("tcp", addr)
	if err != nil {
		t.Fatal(err)
	}
	cl, err := smtp.NewClient(c, host)
	if err != nil {
		t.Fatal(err)
	}
	if err := cl.Mail("a@x.example"); err != nil {
		t.Fatal(err)
	}
	if err := cl.Rcpt("b@y.example"); err != nil {
		t.Fatal(err)
	}
	wc, err := cl.Data()
	if err != nil {
		t.Fatal(err)
	}
	if _, err := wc.Write([]byte(nested)); err != nil {
		t.Fatal(err)
	}
	go func() { _ = wc.Close() }() // blocks on the held answer
	waitHeld(t, s, 2)
	_ = c.Close()
	time.Sleep(100 * time.Millisecond)

	s.ReleaseData()
	if err := <-sent; err != nil {
		t.Fatalf("the waiting sender: %v", err)
	}
	deadline := time.Now().Add(5 * time.Second)
	for s.Dropped() != 1 && time.Now().Before(deadline) {
		time.Sleep(10 * time.Millisecond)
	}
	if s.Count() != 1 || s.Dropped() != 1 {
		t.Fatalf("count %d, dropped %d; want 1 and 1", s.Count(), s.Dropped())
	}
}

func waitHeld(t *testing.T, s *Server, n int) {
	t.Helper()
	deadline := time.Now().Add(5 * time.Second)
	for s.Held() != n {
		if time.Now().After(deadline) {
			t.Fatalf("held %d, want %d", s.Held(), n)
		}
		time.Sleep(10 * time.Millisecond)
	}
}
