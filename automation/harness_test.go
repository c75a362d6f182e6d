package automation

import (
	"cmp"
	"context"
	"encoding/json"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/riverqueue/river"
	"github.com/riverqueue/river/rivertype"

	"github.com/cartwheelhq/cartwheel/cdp"
	"github.com/cartwheelhq/cartwheel/internal/testclock"
	"github.com/cartwheelhq/cartwheel/store"
)

// call is one action the engine asked for.
type call struct {
	Kind       string
	Enrollment string
	Contact    string
	Step       string
	Key        string
	Params     map[string]any
}

// recorder is the test's Actions: it performs nothing and remembers every
// call, which is what the engine's contract with channels is about.
type recorder struct {
	mu    sync.Mutex
	calls []call
	fail  error
}

func (r *recorder) do(en Enrollment, s Step) (Result, error) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.fail != nil {
		return Result{}, r.fail
	}
	r.calls = append(r.calls, call{Kind: s.Kind, Enrollment: en.ID, Contact: en.ContactID, Step: s.ID,
		Key: StepKey(en, s.ID), Params: s.Params})
	return Result{Data: map[string]any{"n": len(r.calls)}}, nil
}

func (r *recorder) SendEmail(_ context.Context, en Enrollment, s Step) (Result, error) {
	return r.do(en, s)
}
func (r *recorder) SendPush(_ context.Context, en Enrollment, s Step) (Result, error) {
	return r.do(en, s)
}
func (r *recorder) AddInbox(_ context.Context, en Enrollment, s Step) (Result, error) {
	return r.do(en, s)
}
func (r *recorder) Tag(_ context.Context, en Enrollment, s Step) (Result, error) { return r.do(en, s) }
func (r *recorder) Discount(_ context.Context, en Enrollment, s Step) (Result, error) {
	return r.do(en, s)
}
func (r *recorder) Webhook(_ context.Context, en Enrollment, s Step) (Result, error) {
	return r.do(en, s)
}

func (r *recorder) list(kind string) []call {
	r.mu.Lock()
	defer r.mu.Unlock()
	var out []call
	for _, c := range r.calls {
		if kind == "" || c.Kind == kind {
			out = append(out, c)
		}
	}
	return out
}

const ws = "ws_test"

// harness is a real SQLite file, the real profile processor, the
// automation processor and engine on real River, and a fake clock.
type harness struct {
	t       *testing.T
	ctx     context.Context
	path    string
	clock   *testclock.Clock
	actions *recorder
	opt     Options
	log     *slog.Logger
	st      *store.Store
	eng     *Engine
	cdp     *cdp.Processor
	proc    *Processor
	running bool
}

// t0 is when every test's fake clock starts.
var t0 = time.Date(2026, 3, 2, 10, 0, 0, 0, time.UTC)

func newHarness(t *testing.T, opt Options) *harness {
	t.Helper()
	return newHarnessAt(t, filepath.Join(t.TempDir(), "cartwheel.db"), t0, opt)
}

// newHarnessAt starts on the database at path with the clock at start.
func newHarnessAt(t *testing.T, path string, start time.Time, opt Options) *harness {
	t.Helper()
	h := &harness{t: t, ctx: context.Background(), path: path, clock: testclock.New(start),
		actions: &recorder{}, opt: opt,
		// River warns, by design, when the fake clock jumps past its leader's
		// term; only errors are worth showing.
		log: cmp.Or(opt.Log, slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: slog.LevelError})))}
	h.start()
	t.Cleanup(h.stop)
	return h
}

// start opens the database and starts an engine on it, as a process does.
func (h *harness) start() {
	h.t.Helper()
	st, err := store.Open(h.ctx, h.path, h.log)
	if err != nil {
		h.t.Fatal(err)
	}
	if _, err := st.Migrate(h.ctx); err != nil {
		h.t.Fatal(err)
	}
	opt := h.opt
	opt.Actions, opt.Clock, opt.Log, opt.PollInterval = h.actions, h.clock, h.log, 50*time.Millisecond
	eng, err := New(h.ctx, st, opt)
	if err != nil {
		h.t.Fatal(err)
	}
	if err := eng.Start(h.ctx); err != nil {
		h.t.Fatal(err)
	}
	h.st, h.eng, h.running = st, eng, true
	h.cdp = cdp.NewProcessor(st, h.log, h.clock.Now)
	h.proc = NewProcessor(st, eng, h.log)
}

// stop stops River (running steps finish) and closes the database.
func (h *harness) stop() {
	if !h.running {
		return
	}
	h.running = false
	if err := h.eng.Stop(h.ctx); err != nil {
		h.t.Error(err)
	}
	if err := h.st.Close(); err != nil {
		h.t.Error(err)
	}
}

// event logs an event and runs both processors over the log.
func (h *harness) event(typ, visitor string, props map[string]any) {
	h.t.Helper()
	h.logEvent(typ, visitor, props)
	if err := h.proc.CatchUp(h.ctx); err != nil {
		h.t.Fatal(err)
	}
}

// logEvent logs an event and runs only the profile processor: automation
// has not read it yet.
func (h *harness) logEvent(typ, visitor string, props map[string]any) {
	h.t.Helper()
	raw, _ := json.Marshal(props)
	now := h.clock.Now()
	if err := h.st.AppendEvents(h.ctx, []store.Event{{WorkspaceID: ws, Type: typ, Source: "test", VisitorID: visitor,
		OccurredAt: now, ReceivedAt: now, Props: raw}}); err != nil {
		h.t.Fatal(err)
	}
	if err := h.cdp.CatchUp(h.ctx); err != nil {
		h.t.Fatal(err)
	}
}

// flow creates and activates a flow.
func (h *harness) flow(f Flow) Flow {
	h.t.Helper()
	f.Status = FlowActive
	out, err := h.eng.CreateFlow(h.ctx, ws, f)
	if err != nil {
		h.t.Fatal(err)
	}
	return out
}

func (h *harness) enrollments(flowID string) []Enrollment {
	h.t.Helper()
	ens, err := h.eng.ListEnrollments(h.ctx, ws, flowID, time.Time{}, "", 100)
	if err != nil {
		h.t.Fatal(err)
	}
	return ens
}

// waitFor polls until cond holds. River works jobs on its own goroutines;
// a job that the fake clock made due waits for River's scheduler, which
// runs every 5 s of wall time on the elected leader, and a jump of the
// fake clock past the leader's term makes it step down and be re-elected
// (about 5 s more). No wall-clock sleep stands for the hours waited.
func (h *harness) waitFor(what string, cond func() bool) {
	h.t.Helper()
	// River fetches on a real-time poll; in a full parallel test run, with
	// browser tests competing for two cores, a poll has been seen to take
	// longer than 20 s to come round. A failure still fails, later.
	deadline := time.Now().Add(45 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			h.t.Fatalf("timed out waiting for %s; fake clock at %s; step jobs:\n%s", what, h.clock.Now().Format(time.RFC3339Nano), h.jobDump())
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// waitEnrollment waits until the flow's only enrollment has status and
// is at step.
func (h *harness) waitEnrollment(flowID, status, step string) Enrollment {
	h.t.Helper()
	var got Enrollment
	h.waitFor("enrollment "+status+" at "+step, func() bool {
		ens := h.enrollments(flowID)
		if len(ens) != 1 {
			return false
		}
		got = ens[0]
		return got.Status == status && got.CurrentStep == step
	})
	return got
}

// jobDump describes every step job, for a timed-out wait: whether the
// job is there, due, or failed is what tells a stall from a slow poll.
func (h *harness) jobDump() string {
	res, err := h.eng.river.JobList(h.ctx, river.NewJobListParams().Kinds(stepArgs{}.Kind()).First(1000))
	if err != nil {
		return "listing jobs: " + err.Error()
	}
	var b strings.Builder
	for _, j := range res.Jobs {
		fmt.Fprintf(&b, "  job %d %s state %s attempt %d scheduled %s errors %+v\n", j.ID, j.EncodedArgs, j.State, j.Attempt,
			j.ScheduledAt.Format(time.RFC3339Nano), j.Errors)
	}
	return b.String()
}

// job is the River job for one step of an enrollment, nil if none.
func (h *harness) job(enrollmentID, stepID string) *rivertype.JobRow {
	h.t.Helper()
	res, err := h.eng.river.JobList(h.ctx, river.NewJobListParams().Kinds(stepArgs{}.Kind()).First(1000))
	if err != nil {
		h.t.Fatal(err)
	}
	for _, j := range res.Jobs {
		var a stepArgs
		if err := json.Unmarshal(j.EncodedArgs, &a); err != nil {
			h.t.Fatal(err)
		}
		if a.EnrollmentID == enrollmentID && a.StepID == stepID {
			return j
		}
	}
	return nil
}

func (h *harness) stepRuns(enrollmentID string) []string {
	h.t.Helper()
	runs, err := h.eng.StepRuns(h.ctx, ws, enrollmentID)
	if err != nil {
		h.t.Fatal(err)
	}
	var out []string
	for _, r := range runs {
		out = append(out, r.StepID+":"+r.Status)
	}
	return out
}

func hours(n int) Duration { return Duration(time.Duration(n) * time.Hour) }

func waitStep(id string, d Duration) Step {
	return Step{ID: id, Kind: KindWait, Wait: &Wait{Duration: d}}
}

func sendStep(id, kind, template string) Step {
	return Step{ID: id, Kind: kind, Params: map[string]any{"template": template}}
}

// cartFlow is the abandoned-checkout shape: an email an hour after a
// checkout with an email, another a day after, stopped by an order.
func cartFlow() Flow {
	return Flow{
		Name:    "Abandoned checkout",
		Trigger: Trigger{Event: cdp.EventCheckoutUpdated, Filters: []Filter{{Field: "email", Op: OpExists}}},
		Steps: []Step{
			waitStep("wait-1h", hours(1)),
			sendStep("email-1", KindSendEmail, "cart-1"),
			waitStep("wait-23h", hours(23)),
			sendStep("email-2", KindSendEmail, "cart-2"),
		},
		Goal: &Goal{Event: cdp.EventOrderPlaced},
	}
}
