package main

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"os"
	"os/exec"
	"syscall"
	"testing"
	"time"

	"github.com/cartwheelhq/cartwheel/messaging/email/smtptest"
)

// killableServer runs the binary as `serve` on dir, sending mail to smtp.
type killableServer struct {
	t    *testing.T
	cmd  *exec.Cmd
	base string
}

func startKillable(t *testing.T, bin, dir string, smtp *smtptest.Server) *killableServer {
	t.Helper()
	host, port := smtp.Addr()
	cmd := exec.Command(bin, "serve", "--addr", "127.0.0.1:0", "--data-dir", dir)
	cmd.Env = append(os.Environ(), "CARTWHEEL_ADMIN_TOKEN="+testAdminToken,
		fmt.Sprintf("CARTWHEEL_SMTP_URL=smtp://%s:%d?tls=none", host, port))
	stderr, _ := cmd.StderrPipe()
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = cmd.Process.Kill(); _ = cmd.Wait() })
	base := "http://" + waitForReady(t, stderr)
	go func() { _, _ = io.Copy(io.Discard, stderr) }()
	return &killableServer{t: t, cmd: cmd, base: base}
}

func (k *killableServer) do(method, path, ws string, body, out any) int {
	k.t.Helper()
	raw, _ := json.Marshal(body)
	req, _ := http.NewRequest(method, k.base+path, bytes.NewReader(raw))
	req.Header.Set("Authorization", "Bearer "+testAdminToken)
	req.Header.Set("Content-Type", "application/json")
	if ws != "" {
		req.Header.Set("X-Cartwheel-Workspace", ws)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		k.t.Fatal(err)
	}
	defer resp.Body.Close()
	if out != nil {
		_ = json.NewDecoder(resp.Body).Decode(out)
	}
	return resp.StatusCode
}

// stepRecorded reports whether the step of the flow's (only) enrollment
// has its record, which commits with the enrollment's move.
func stepRecorded(k *killableServer, ws, flowID, step string) bool {
	var ens struct {
		Enrollments []enrollmentJSON `json:"enrollments"`
	}
	k.do("GET", "/api/v1/flows/"+flowID+"/enrollments", ws, nil, &ens)
	if len(ens.Enrollments) != 1 {
		return false
	}
	var out struct {
		Steps []struct {
			StepID string `json:"step_id"`
			Status string `json:"status"`
		} `json:"steps"`
	}
	k.do("GET", "/api/v1/enrollments/"+ens.Enrollments[0].ID, ws, nil, &out)
	for _, s := range out.Steps {
		if s.StepID == step {
			return true
		}
	}
	return false
}

// kill sends SIGKILL: no shutdown code runs.
func (k *killableServer) kill() {
	_ = k.cmd.Process.Signal(syscall.SIGKILL)
	_ = k.cmd.Wait()
}

// The process is killed (SIGKILL) after a flow's first email went out and
// while its next step waits: after a restart on the same data the flow
// goes on, the second email arrives, and the first is not sent again.
func TestFlowSurvivesKillBetweenSteps(t *testing.T) {
	if testing.Short() {
		t.Skip("builds the binary")
	}
	bin := buildBinary(t)
	dir := t.TempDir()
	smtp := smtptest.NewServer(t, smtptest.WithAuth("", ""))
	srv := startKillable(t, bin, dir, smtp)

	w, flowID, fire := killableFlow(t, srv, "kill_signal", map[string]any{"name": "Two emails",
		"reentry": map[string]any{"mode": "once"}, "steps": []any{
			map[string]any{"id": "first", "kind": "send_email", "params": map[string]any{"subject": "First", "html": "<p>One</p>", "products": "none"}},
			map[string]any{"id": "pause", "kind": "wait", "wait": map[string]any{"duration": "3s"}},
			map[string]any{"id": "second", "kind": "send_email", "params": map[string]any{"subject": "Second", "html": "<p>Two</p>", "products": "none"}},
		}})
	fire()
	// Kill once the first email is recorded as sent and its step has
	// committed: the step's record is what lasts. (Waiting for the
	// enrollment to sit at "pause" missed it most of the time: a wait step
	// is current for the milliseconds its own job takes.) Killing inside
	// the step's job is TestFlowStepKilledMidSendRunsOnceSoonAfterRestart.
	waitForLong(t, "the first email and its step to be recorded", func() bool {
		var out struct {
			Messages []struct {
				Subject string `json:"subject"`
				Status  string `json:"status"`
			} `json:"messages"`
		}
		srv.do("GET", "/api/v1/messages?channel=email", w.ID, nil, &out)
		if len(out.Messages) != 1 || out.Messages[0].Status != "sent" {
			return false
		}
		return stepRecorded(srv, w.ID, flowID, "first")
	})
	srv.kill()
	if n := smtp.Count(); n != 1 {
		t.Fatalf("%d emails before the kill's restart", n)
	}

	startKillable(t, bin, dir, smtp)
	waitForLong(t, "the second email after the restart", func() bool { return smtp.Count() >= 2 })
	time.Sleep(6 * time.Second) // a re-sent first email would come within River's rescue and poll cycles
	msgs := smtp.Messages()
	if len(msgs) != 2 || msgs[0].Subject() != "First" || msgs[1].Subject() != "Second" {
		var subjects []string
		for _, m := range msgs {
			subjects = append(subjects, m.Subject())
		}
		t.Fatalf("emails %v, want [First Second]", subjects)
	}
}

// killableFlow makes a workspace on srv that can send email at any hour,
// with flow (its trigger event is trigger) active; fire logs trigger for a
// consenting kim@example.com. It returns the workspace and the flow's id.
func killableFlow(t *testing.T, srv *killableServer, trigger string, flow map[string]any) (ws wsJSON, flowID string, fire func()) {
	t.Helper()
	if code := srv.do("POST", "/api/v1/workspaces", "", map[string]any{"name": "Kill " + trigger}, &ws); code != 201 {
		t.Fatalf("workspace: %d", code)
	}
	settings := map[string]any{"from_email": "hello@shop.example", "address": "1 Main St",
		"quiet_hours": map[string]int{"start": 0, "end": 0}}
	if code := srv.do("PATCH", "/api/v1/messaging/settings", ws.ID, settings, nil); code != 200 {
		t.Fatalf("settings: %d", code)
	}
	flow["status"], flow["trigger"] = "active", map[string]any{"event": trigger}
	var created struct {
		ID string `json:"id"`
	}
	if code := srv.do("POST", "/api/v1/flows", ws.ID, flow, &created); code != 201 {
		t.Fatalf("flow: %d", code)
	}
	fire = func() {
		t.Helper()
		evs := map[string]any{"events": []any{
			map[string]any{"type": "consent", "email": "kim@example.com", "properties": map[string]any{"email": true}},
			map[string]any{"type": trigger, "email": "kim@example.com"},
		}}
		if code := srv.do("POST", "/api/v1/events", ws.ID, evs, nil); code != 202 {
			t.Fatalf("events: %d", code)
		}
	}
	return ws, created.ID, fire
}
