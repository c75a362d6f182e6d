package main

import (
	"testing"
	"time"

	"github.com/cartwheelhq/cartwheel/messaging/email/smtptest"
)

// The process is killed (SIGKILL) inside a step's job — while the SMTP
// server holds its answer to the email's data, so the mail is not taken.
// The job stays marked running in River's table; the restart releases it
// at once (automation.Engine.Start), not when River's rescuer gets to it
// (a minute or more) or an hour later, and the email arrives once.
func TestFlowStepKilledMidSendRunsOnceSoonAfterRestart(t *testing.T) {
	if testing.Short() {
		t.Skip("builds the binary")
	}
	bin := buildBinary(t)
	dir := t.TempDir()
	smtp := smtptest.NewServer(t, smtptest.WithAuth("", ""))
	srv := startKillable(t, bin, dir, smtp)

	w, flowID, fire := killableFlow(t, srv, "kill_mid_step", map[string]any{"name": "One email",
		"steps": []any{map[string]any{"id": "only", "kind": "send_email",
			"params": map[string]any{"subject": "Only", "html": "<p>Once</p>", "products": "none"}}}})
	smtp.HoldData()
	fire()
	waitForLong(t, "the step's email to be held at DATA", func() bool { return smtp.Held() == 1 })
	srv.kill()
	smtp.ReleaseData()
	waitFor(t, "the held email to be refused", func() bool { return smtp.Dropped() == 1 })
	if n := smtp.Count(); n != 0 {
		t.Fatalf("%d emails taken from a killed sender", n)
	}

	killed := time.Now()
	srv = startKillable(t, bin, dir, smtp)
	// 20 s is the restart plus a loaded machine's slowness; River's
	// rescuer alone would take over 40 s.
	deadline := time.Now().Add(20 * time.Second)
	for smtp.Count() == 0 {
		if time.Now().After(deadline) {
			t.Fatal("the step killed mid-send did not run again within 20 s of the restart")
		}
		time.Sleep(200 * time.Millisecond)
	}
	t.Logf("the step ran again %v after the kill", time.Since(killed).Round(time.Second))
	waitForLong(t, "the step to be recorded", func() bool { return stepRecorded(srv, w.ID, flowID, "only") })
	time.Sleep(3 * time.Second)
	if n := smtp.Count(); n != 1 || smtp.Messages()[0].Subject() != "Only" {
		t.Fatalf("%d emails after the restart; want the one, once", n)
	}
}
