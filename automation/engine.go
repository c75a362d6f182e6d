package automation

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"log/slog"
	"time"

	"github.com/riverqueue/river"
	"github.com/riverqueue/river/riverdriver/riversqlite"
	"github.com/riverqueue/river/rivermigrate"
	"github.com/riverqueue/river/rivertype"

	"github.com/cartwheelhq/cartwheel/store"
)

// Enrollment statuses.
const (
	EnrollmentActive = "active"
	// EnrollmentPaused is an enrollment held at its next step because its
	// flow is paused; resuming the flow makes it active again.
	EnrollmentPaused     = "paused"
	EnrollmentCompleted  = "completed"
	EnrollmentExitedGoal = "exited_goal"
	EnrollmentFailed     = "failed"
	EnrollmentCancelled  = "cancelled"
	// EnrollmentExitedArchived is an enrollment ended, before its next
	// step, because its flow was archived.
	EnrollmentExitedArchived = "exited_archived"
)

// Step run statuses.
const (
	RunDone    = "done"
	RunSkipped = "skipped"
	RunFailed  = "failed"
)

// queueName is the River queue steps run on, apart from any other work a
// River client on the same database may do later.
const queueName = "automation"

// defaultMaxAttempts bounds how often a failing step is retried. River
// backs off by attempt⁴ seconds, so eight attempts span about three hours:
// long enough to ride out an SMTP or push-service outage, short enough that
// a cart reminder is not sent days late. The last failure fails the
// enrollment instead of leaving it active for ever.
const defaultMaxAttempts = 8

// stepTimeout is the longest a step's job may run: River cancels its
// context then, and the step is retried. A step is a few queries and one
// send (SMTP, a push service, a webhook with its own 10 s timeout), so
// half a minute is generous.
const stepTimeout = 30 * time.Second

// rescueAfter is when River takes a job still marked running for lost (its
// process died mid-step: a kill -9, a crash, a power cut) and runs it
// again: a little more than stepTimeout, as no live job runs longer.
// River's default, an hour, held such a flow an hour; its rescuer looks
// every 30 s. A restart releases such steps at once (Start); the rescuer
// is for a job lost while the process lives on.
const rescueAfter = stepTimeout + 10*time.Second

// defaultMaxTriggerAge is Options.MaxTriggerAge's default: two days covers
// any ordinary processing lag or outage of a day, and nothing a flow sends
// "an hour after" makes sense later than that.
const defaultMaxTriggerAge = 48 * time.Hour

// Clock tells the engine the time. Production uses the system clock; tests
// pass one they advance, and River is given the same clock so that a job
// scheduled for a step's next_at falls due when this clock reaches it.
type Clock interface{ Now() time.Time }

type systemClock struct{}

func (systemClock) Now() time.Time { return time.Now() }

// riverTime hands a Clock to River (rivertype.TimeGenerator). NowOrNil
// always answers, so River stamps and compares job times with this clock
// instead of SQLite's datetime('now').
type riverTime struct{ c Clock }

func (r riverTime) Now() time.Time { return r.c.Now() }

func (r riverTime) NowOrNil() *time.Time {
	t := r.c.Now()
	return &t
}

// Options configures an Engine. Only Actions is required.
type Options struct {
	// Actions performs side-effect steps (sends, tags, discounts, webhooks).
	Actions Actions
	// Facts answers branch conditions; a flow with a branch fails its
	// enrollments without it.
	Facts Facts
	// Clock defaults to the system clock.
	Clock Clock
	// TimezoneOf gives a contact's timezone for waits until an hour of the
	// day; nil, or a nil answer, means UTC.
	TimezoneOf func(ctx context.Context, workspaceID, contactID string) *time.Location
	Log        *slog.Logger
	// Workers is how many steps run at once (default 10).
	Workers int
	// PollInterval is how often River looks for due jobs besides being
	// notified of new ones (default River's, 1 s).
	PollInterval time.Duration
	// MaxAttempts is how often a failing step is tried (default 8).
	MaxAttempts int
	// MaxTriggerAge is how old an event may be and still enrol anyone
	// (default 48 h; negative turns the check off). Older events, from a
	// backfill or read after downtime, only reach goals: a reminder for a
	// checkout abandoned a week ago, or a welcome for an order from 2019,
	// would be wrong.
	MaxTriggerAge time.Duration
}

// Engine enrols contacts in flows and runs their steps as River jobs.
type Engine struct {
	st          *store.Store
	actions     Actions
	facts       Facts
	clock       Clock
	tz          func(ctx context.Context, workspaceID, contactID string) *time.Location
	log         *slog.Logger
	maxAttempts int
	maxAge      time.Duration
	river       *river.Client[*sql.Tx]
}

// New applies River's migrations to the store's database and returns an
// engine; Start makes it work jobs. Until then HandleEvent and the admin
// functions still work: the jobs they schedule wait in the database.
//
// River's tables are the one exception to "all SQL lives in store": they
// are River's schema, versioned with the library and applied here by its
// own migrator (rivermigrate) through the store's writer connection, so an
// upgrade of River brings its migrations along. Our tables, and every query
// on them, stay in store.
func New(ctx context.Context, st *store.Store, opt Options) (*Engine, error) {
	if opt.Actions == nil {
		return nil, errors.New("automation: Options.Actions is required")
	}
	e := &Engine{st: st, actions: opt.Actions, facts: opt.Facts, clock: opt.Clock, tz: opt.TimezoneOf, log: opt.Log,
		maxAttempts: opt.MaxAttempts, maxAge: opt.MaxTriggerAge}
	if e.maxAge == 0 {
		e.maxAge = defaultMaxTriggerAge
	}
	if e.log == nil {
		e.log = slog.Default()
	}
	if e.maxAttempts <= 0 {
		e.maxAttempts = defaultMaxAttempts
	}
	workers := opt.Workers
	if workers <= 0 {
		workers = 10
	}
	driver := riversqlite.New(st.JobsDB())
	migrator, err := rivermigrate.New(driver, &rivermigrate.Config{Logger: e.log})
	if err != nil {
		return nil, fmt.Errorf("automation: job queue migrator: %w", err)
	}
	if _, err := migrator.Migrate(ctx, rivermigrate.DirectionUp, nil); err != nil {
		return nil, fmt.Errorf("automation: migrate job queue: %w", err)
	}
	ws := river.NewWorkers()
	if err := river.AddWorkerSafely(ws, &stepWorker{e: e}); err != nil {
		return nil, fmt.Errorf("automation: %w", err)
	}
	cfg := &river.Config{
		Queues:               map[string]river.QueueConfig{queueName: {MaxWorkers: workers}},
		Workers:              ws,
		Logger:               e.log,
		FetchPollInterval:    opt.PollInterval,
		JobTimeout:           stepTimeout,
		RescueStuckJobsAfter: rescueAfter,
	}
	if e.clock == nil {
		e.clock = systemClock{}
	} else {
		// River's time stub lives in its TestConfig, but it is only a time
		// source: with the system clock it is left unset, and River keeps
		// using the database's clock as in any production deployment.
		cfg.Test.Time = riverTime{e.clock}
		// River's rescuer compares a running job's attempted_at, stamped
		// with this clock, against the real time.Now(): with a clock set
		// months back, every job that happens to be running when the
		// rescuer looks (every 30 s) is "stuck", is rescued mid-run and is
		// retried at a time the clock never reaches. That was the rare
		// timeout of TestRedeliveredStepActsOnce (its error said "Stuck job
		// rescued by JobRescuer"). A given clock is a test's: no process
		// dies under it without a restart, and Start releases a dead
		// process's steps, so the rescuer is kept out of the way.
		cfg.RescueStuckJobsAfter = 100 * 365 * 24 * time.Hour
	}
	if opt.PollInterval > 0 && opt.PollInterval < time.Second {
		cfg.FetchCooldown = opt.PollInterval / 2
	}
	e.river, err = river.NewClient(driver, cfg)
	if err != nil {
		return nil, fmt.Errorf("automation: job queue client: %w", err)
	}
	return e, nil
}

// Start begins working due steps until Stop. Steps a previous process
// left running (it was killed mid-step) are made available first, so they
// run again at once instead of waiting for River's rescuer.
func (e *Engine) Start(ctx context.Context) error {
	// On SQLite one process owns the file, so at start no job can really
	// be running: whatever is marked so was orphaned by a dead process.
	// (Several replicas on PostgreSQL will need River's rescuer instead:
	// a job running on another replica is not orphaned.) Each step is
	// idempotent on its enrollment and step, so running one again sends
	// nothing twice. This is River's table: like the migrator, the one
	// place River's schema is touched outside River.
	res, err := e.st.JobsDB().ExecContext(ctx, `UPDATE river_job SET state = 'available' WHERE state = 'running'`)
	if err != nil {
		return fmt.Errorf("automation: release orphaned steps: %w", err)
	}
	if n, _ := res.RowsAffected(); n > 0 {
		e.log.Info("steps left running by the previous process run again", "steps", n)
	}
	if err := e.river.Start(ctx); err != nil {
		return fmt.Errorf("automation: start: %w", err)
	}
	return nil
}

// Stop stops fetching steps and waits for running ones to finish; steps
// not yet run stay in the database for the next start.
func (e *Engine) Stop(ctx context.Context) error {
	if err := e.river.Stop(ctx); err != nil {
		return fmt.Errorf("automation: stop: %w", err)
	}
	return nil
}

// stepArgs is one step's job: run step StepID of an enrollment, which runs
// version FlowVersion of its flow (checked against the enrollment, and
// there for whoever reads the queue).
type stepArgs struct {
	WorkspaceID  string `json:"workspace_id"`
	EnrollmentID string `json:"enrollment_id"`
	StepID       string `json:"step_id"`
	FlowVersion  int    `json:"flow_version"`
}

// Kind names the job type in River's table.
func (stepArgs) Kind() string { return "automation_step" }

// schedule inserts the job for an enrollment's step, due at at, inside the
// transaction that moved the enrollment to that step: the two commit
// together, so a crash can never leave an enrollment waiting on a job that
// does not exist. Uniqueness by args while a job is pending keeps a second
// scheduling of the same step (e.g. a resume racing a redelivery) from
// queuing it twice; a finished job does not block, so a held step can be
// scheduled again on resume.
func (e *Engine) schedule(ctx context.Context, tx *store.Tx, en store.Enrollment, stepID string, at time.Time) error {
	// A step due now is inserted without a time: River marks any job given
	// one "scheduled", and only its scheduler (every few seconds) makes it
	// available, which would put seconds between an event and an
	// immediate send.
	if !at.After(e.clock.Now()) {
		at = time.Time{}
	}
	_, err := e.river.InsertTx(ctx, tx.JobTx(), stepArgs{WorkspaceID: en.WorkspaceID, EnrollmentID: en.ID, StepID: stepID,
		FlowVersion: en.FlowVersion}, &river.InsertOpts{
		Queue:       queueName,
		MaxAttempts: e.maxAttempts,
		ScheduledAt: at,
		UniqueOpts: river.UniqueOpts{ByArgs: true, ByState: []rivertype.JobState{rivertype.JobStateAvailable,
			rivertype.JobStatePending, rivertype.JobStateRunning, rivertype.JobStateRetryable, rivertype.JobStateScheduled}},
	})
	if err != nil {
		return fmt.Errorf("schedule step %s of %s: %w", stepID, en.ID, err)
	}
	return nil
}

// flowVersion loads and decodes the version of a flow an enrollment runs.
func (e *Engine) flowVersion(ctx context.Context, workspaceID, flowID string, version int) (*Flow, error) {
	sf, err := e.st.FlowVersion(ctx, workspaceID, flowID, version)
	if err != nil {
		return nil, err
	}
	return fromStore(sf)
}

// fromStore decodes a stored flow row.
func fromStore(sf store.Flow) (*Flow, error) {
	f := &Flow{ID: sf.ID, WorkspaceID: sf.WorkspaceID, Name: sf.Name, Status: sf.Status, Version: sf.Version,
		CreatedAt: sf.CreatedAt, UpdatedAt: sf.UpdatedAt}
	if err := decodeDefinition(f, sf.Definition); err != nil {
		return nil, err
	}
	return f, nil
}
