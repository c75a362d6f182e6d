package automation

import (
	"bufio"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/cartwheelhq/cartwheel/cdp"
)

// killChildEnv, when set, makes TestKilledBetweenStepsContinues play the
// process that is killed, on the database file it names.
const killChildEnv = "CARTWHEEL_AUTOMATION_KILL_CHILD"

func killFlow() Flow {
	return Flow{Name: "killed", Trigger: Trigger{Event: cdp.EventCheckoutUpdated}, Steps: []Step{
		waitStep("wait-1", hours(1)), sendStep("email", KindSendEmail, "one"),
		waitStep("wait-2", hours(1)), sendStep("push", KindSendPush, "two"),
	}}
}

// A process killed (SIGKILL, no shutdown at all) after sending the first
// email and before the next step: a new process on the same file goes on
// with the push, and the email is not sent again.
func TestKilledBetweenStepsContinues(t *testing.T) {
	if path := os.Getenv(killChildEnv); path != "" {
		killedChild(t, path)
		return
	}
	t.Parallel()
	path := filepath.Join(t.TempDir(), "cartwheel.db")
	cmd := exec.Command(os.Args[0], "-test.run=^TestKilledBetweenStepsContinues$", "-test.count=1")
	cmd.Env = append(os.Environ(), killChildEnv+"="+path)
	cmd.Stderr = os.Stderr
	out, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	ready := ""
	sc := bufio.NewScanner(out)
	for sc.Scan() {
		if rest, ok := strings.CutPrefix(sc.Text(), "READY "); ok {
			ready = rest
			break
		}
	}
	if err := cmd.Process.Kill(); err != nil {
		t.Fatal(err)
	}
	_ = cmd.Wait()
	if ready != "emails=1" {
		t.Fatalf("child said %q, want emails=1", ready)
	}

	h := newHarnessAt(t, path, t0.Add(2*time.Hour), Options{})
	flows, err := h.eng.Flows(h.ctx, ws)
	if err != nil || len(flows) != 1 {
		t.Fatalf("flows after the kill: %v %v", flows, err)
	}
	en := h.waitEnrollment(flows[0].ID, EnrollmentCompleted, "")
	if e, p := len(h.actions.list(KindSendEmail)), len(h.actions.list(KindSendPush)); e != 0 || p != 1 {
		t.Fatalf("after the restart %d emails and %d pushes, want the push only", e, p)
	}
	want := []string{"wait-1:done", "email:done", "wait-2:done", "push:done"}
	if got := h.stepRuns(en.ID); !slices.Equal(got, want) {
		t.Fatalf("step runs %v, want %v", got, want)
	}
}

// killedChild enrols a contact, sends the first email an hour later, and
// once the enrollment waits for the push, says so and waits to be killed.
func killedChild(t *testing.T, path string) {
	h := newHarnessAt(t, path, t0, Options{})
	f := h.flow(killFlow())
	h.event(cdp.EventCheckoutUpdated, "v1", checkout)
	h.waitEnrollment(f.ID, EnrollmentActive, "email")
	h.clock.Add(time.Hour)
	h.waitEnrollment(f.ID, EnrollmentActive, "push")
	fmt.Printf("READY emails=%d\n", len(h.actions.list(KindSendEmail)))
	time.Sleep(time.Minute)
	t.Fatal("the parent test never killed this process")
}
