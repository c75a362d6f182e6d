package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"strings"
	"sync"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"

	"github.com/cartwheelhq/cartwheel/automation"
	"github.com/cartwheelhq/cartwheel/campaigns"
	"github.com/cartwheelhq/cartwheel/cdp"
	"github.com/cartwheelhq/cartwheel/config"
	"github.com/cartwheelhq/cartwheel/connectors"
	"github.com/cartwheelhq/cartwheel/demo"
	"github.com/cartwheelhq/cartwheel/messaging"
	"github.com/cartwheelhq/cartwheel/messaging/bounce"
	"github.com/cartwheelhq/cartwheel/messaging/sms"
	"github.com/cartwheelhq/cartwheel/messaging/webpush"
	"github.com/cartwheelhq/cartwheel/secrets"
	"github.com/cartwheelhq/cartwheel/server"
	"github.com/cartwheelhq/cartwheel/store"
	"github.com/cartwheelhq/cartwheel/tracker"
	"github.com/cartwheelhq/cartwheel/workspace"
)

// instance is one running Cartwheel: what serve starts and tests drive.
type instance struct {
	cfg   config.Config
	log   *slog.Logger
	st    *store.Store
	srv   *server.Server
	ln    net.Listener
	ws    *workspace.Service
	demo  demo.Site
	serve chan error

	writer    *cdp.Writer
	processor *cdp.Processor
	hub       *connectors.Hub
	messaging *messaging.Service
	sms       *sms.Service
	auto      *automationParts
	segments  *segmentParts
	campaigns *campaigns.Service
	// bounces is the inbound SMTP listener (nil when off), at bounceAddr.
	bounces    *bounce.Listener
	bounceAddr string
	stopWork   context.CancelFunc
	workers    sync.WaitGroup

	stopOnce sync.Once
	stopErr  error
}

// openStore opens and migrates the database and checks the secret key: the
// part of start-up that serve and migrate share.
func openStore(ctx context.Context, cfg config.Config, log *slog.Logger) (*store.Store, *secrets.Box, error) {
	key, created, err := secrets.LoadOrCreate(cfg.SecretKey, cfg.DataDir)
	if err != nil {
		return nil, nil, fmt.Errorf("secret key: %w", err)
	}
	if created {
		log.Warn("CARTWHEEL_SECRET_KEY is not set: generated a key into the data dir; back it up with the database, "+
			"or set CARTWHEEL_SECRET_KEY for production", "file", cfg.DataDir+"/"+secrets.KeyFile)
	}
	box, err := secrets.New(key)
	if err != nil {
		return nil, nil, err
	}
	st, err := store.Open(ctx, cfg.DatabaseURL, log)
	if err != nil {
		return nil, nil, err
	}
	if _, err := st.Migrate(ctx); err != nil {
		st.Close()
		return nil, nil, err
	}
	return st, box, nil
}

func migrate(ctx context.Context, cfg config.Config, log *slog.Logger) error {
	st, _, err := openStore(ctx, cfg, log)
	if err != nil {
		return err
	}
	v, err := st.SchemaVersion(ctx)
	if err == nil {
		log.Info("database is up to date", "path", st.Path(), "schema_version", v)
	}
	return errors.Join(err, st.Close())
}

// vapid prints the instance's VAPID public key (what a push service sees
// in every request, and what a shop's push settings may ask for),
// generating the key pair on a fresh data dir as serve would.
func vapid(ctx context.Context, cfg config.Config, log *slog.Logger, out io.Writer) error {
	st, box, err := openStore(ctx, cfg, log)
	if err != nil {
		return err
	}
	k, err := messaging.New(st, box, log, nil).VAPIDKeys(ctx)
	if err == nil {
		fmt.Fprintln(out, k.Public)
	}
	return errors.Join(err, st.Close())
}

// startOption changes how start builds an instance; for tests.
type startOption func(*startOptions)

type startOptions struct {
	clock automation.Clock
}

// withClock makes flows (and River) run on c instead of the system clock,
// so a test can move an instance an hour on without waiting an hour.
func withClock(c automation.Clock) startOption { return func(o *startOptions) { o.clock = c } }

type systemClock struct{}

func (systemClock) Now() time.Time { return time.Now() }

// start builds and starts an instance; it returns once the server answers.
func start(ctx context.Context, cfg config.Config, log *slog.Logger, out io.Writer, options ...startOption) (*instance, error) {
	began := time.Now()
	var so startOptions
	for _, o := range options {
		o(&so)
	}
	st, box, err := openStore(ctx, cfg, log)
	if err != nil {
		return nil, err
	}
	inst := &instance{cfg: cfg, log: log, st: st, serve: make(chan error, 1)}
	fail := func(err error) (*instance, error) {
		if inst.ln != nil {
			inst.ln.Close()
		}
		if inst.stopWork != nil {
			inst.stopWork()
			inst.workers.Wait()
			_ = inst.writer.Close(ctx)
		}
		if inst.auto != nil {
			inst.auto.stop(ctx)
		}
		st.Close()
		return nil, err
	}
	// A database that cannot be written (disk full) is served read-only:
	// reads work, writes answer 503, /readyz is not ready, and writes come
	// back by themselves once there is room. Flows and the demo need writes
	// to start, so they wait for the next start.
	readOnly := st.StartedReadOnly()
	if readOnly {
		log.Error("the database cannot be written (disk full?): starting read-only; writes answer 503 until there is room, "+
			"flows and the demo start at the next restart", "database", st.Path())
	}
	inst.ws = workspace.New(st, box, log, nil)
	if err := inst.ws.CheckSecretKey(ctx); err != nil {
		return fail(err)
	}
	token, err := inst.ws.BootstrapAdmin(ctx, cfg.AdminToken)
	if err != nil && !(readOnly && store.IsUnavailable(err)) {
		return fail(err)
	}
	if token != "" {
		// Printed, never logged: logs are shipped and kept, this must not be.
		fmt.Fprintf(out, "\nAdmin API token (shown once, store it now):\n\n    %s\n\n", token)
	}
	ingest := cdp.NewIngest(st, log, nil)
	inst.processor = cdp.NewProcessor(st, log, nil)
	inst.writer = cdp.NewWriter(st, log, cdp.DefaultWriterOptions(), inst.processor.Notify)
	workCtx, stopWork := context.WithCancel(context.Background())
	inst.stopWork = stopWork
	script, err := tracker.NewScript()
	if err != nil {
		return fail(err)
	}
	carts, err := tracker.NewCartScript()
	if err != nil {
		return fail(err)
	}
	reg := prometheus.NewRegistry()
	reg.MustRegister(collectors.NewGoCollector(), collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}),
		prometheus.NewGaugeFunc(prometheus.GaugeOpts{Name: "cartwheel_ingest_queued_events",
			Help: "Events accepted and waiting for their group commit; near the limit, /collect answers 503."},
			func() float64 { return float64(inst.writer.Queued()) }))
	opts := server.Options{Config: cfg, Store: st, Workspaces: inst.ws, Ingest: ingest, Tracker: script, TrackerCarts: carts,
		Writer: inst.writer, Contacts: cdp.NewContacts(st), Registry: reg, Log: log, Version: version}
	// Listen before anything uses the public URL, so that an ephemeral port
	// (--addr :0) can be put into it, and a taken port fails start-up loudly.
	inst.ln, err = net.Listen("tcp", cfg.Addr)
	if err != nil {
		return fail(fmt.Errorf("listen on %s: %w", cfg.Addr, err))
	}
	if strings.HasSuffix(cfg.PublicURL, ":0") {
		_, port, _ := net.SplitHostPort(inst.ln.Addr().String())
		cfg.PublicURL = strings.TrimSuffix(cfg.PublicURL, "0") + port
		inst.cfg, opts.Config = cfg, cfg
	}
	inst.hub = connectors.New(connectors.Options{Store: st, Workspaces: inst.ws, Ingest: ingest, Secrets: box, Log: log,
		Exclusive: inst.processor.Exclusive, PublicURL: cfg.PublicURL, ShopifyAPIKey: cfg.ShopifyAPIKey,
		ShopifyAPISecret: cfg.ShopifyAPISecret, ShopifyBaseURL: cfg.ShopifyAPIBase, SyncInterval: cfg.SyncInterval})
	opts.Connectors = inst.hub
	verp, dopts := deliverabilityOptions(cfg, box, ingest)
	inst.messaging = messaging.New(st, box, log, nil, append(dopts,
		messaging.WithPushPolicy(webpush.EndpointPolicy{AllowPrivate: cfg.PushAllowPrivateEndpoints}))...)
	if _, err := inst.messaging.VAPIDKeys(ctx); err != nil && !(readOnly && store.IsUnavailable(err)) {
		return fail(fmt.Errorf("VAPID keys: %w", err))
	}
	opts.Messaging = inst.messaging
	links := messaging.NewLinks(cfg.PublicURL, box)
	clock := so.clock
	if clock == nil {
		clock = systemClock{}
	}
	engagement := messaging.NewEngagement(st, links, ingest, inst.messaging.Settings, log, clock.Now)
	opts.Engagement = engagement
	inst.sms = sms.New(sms.Options{Store: st, Box: box, Events: ingest, PublicURL: cfg.PublicURL,
		TwilioBase: cfg.TwilioAPIBase, SMSAPIBase: cfg.SMSAPIBase, Now: clock.Now, Log: log})
	opts.SMS = inst.sms
	// Flows' product blocks ask the engines that fill the site's frames.
	pers := buildPersonalization(inst, box, log)
	// Built before any processor runs: it sets how they wake each other.
	if !readOnly {
		if inst.auto, err = buildAutomation(ctx, inst, ingest, links, clock, pers.decider); err != nil {
			return fail(fmt.Errorf("automation: %w", err))
		}
		inst.auto.processor.On(cdp.EventOrderPlaced, engagement.Attribute)
		inst.auto.processor.On(cdp.EventOrderRefunded, engagement.Attribute)
		inst.auto.processor.On(cdp.EventOrderCancelled, engagement.Attribute)
		opts.Automation = inst.auto.engine
		inst.segments = buildSegments(inst, inst.auto.channels, clock, log)
		opts.Segments = inst.segments.service
		inst.workers.Go(func() { inst.segments.run(workCtx) })
	} else {
		// buildAutomation wires this otherwise.
		ingest.OnAppend(inst.processor.Notify)
	}
	inst.processor.OnAdvance(pers.processor.Notify)
	if !readOnly {
		opts.ScoreRefit = startScores(workCtx, inst, clock.Now, log)
	}
	opts.Personalization = pers.decider
	inst.workers.Go(func() { pers.run(workCtx) })
	// While writes fail (disk full), probe every second so that readiness
	// comes back by itself once there is room.
	inst.workers.Go(func() { st.WatchWrites(workCtx, time.Second) })
	inst.workers.Go(func() {
		if err := inst.processor.Run(workCtx); err != nil {
			log.Error("profile processor stopped", "err", err)
		}
	})
	inst.workers.Go(func() {
		if err := inst.hub.Run(workCtx); err != nil {
			log.Error("connectors stopped", "err", err)
		}
	})
	if inst.auto != nil {
		if err := inst.auto.start(workCtx, &inst.workers); err != nil {
			return fail(err)
		}
	}
	if opts.Campaigns, err = buildCampaigns(ctx, inst, links, clock.Now); err != nil {
		return fail(fmt.Errorf("campaigns: %w", err))
	}
	inst.campaigns = opts.Campaigns
	runCampaigns(workCtx, opts.Campaigns, &inst.workers)
	if cfg.Demo && !readOnly {
		site, err := demo.Ensure(ctx, inst.ws, st, cfg.PublicURL, log)
		if err != nil {
			return fail(fmt.Errorf("demo shop: %w", err))
		}
		inst.demo = site
		// The demo's checkout redeems the codes Cartwheel keeps: its
		// pop-ups and flows can promise codes.
		inst.hub.KeepCodesFor(site.Shop.ID)
		if err := seedDemoFlows(ctx, inst.auto.engine, site.Workspace.ID, log); err != nil {
			return fail(err)
		}
		if err := seedDemoWidgets(ctx, st, pers.decider, site.Workspace.ID, site.Workspace.Locale, log); err != nil {
			return fail(err)
		}
		opts.Demo = demo.NewStorefront(st, ingest, site, cfg.PublicURL, log)
	}
	if opts.Console, err = buildConsole(ctx, inst, ingest, pers.decider, out); err != nil {
		return fail(err)
	}
	if err := inst.startBounceListener(verp); err != nil {
		return fail(err)
	}
	inst.srv = server.New(opts)
	go func() { inst.serve <- inst.srv.Serve(inst.ln) }()
	inst.srv.SetReady(true)
	log.Info("cartwheel ready", "addr", inst.ln.Addr().String(), "public_url", cfg.PublicURL, "demo", cfg.Demo,
		"database", st.Path(), "startup_ms", time.Since(began).Milliseconds())
	if cfg.Demo {
		// Said on its own line: the demo works only at this exact origin
		// (the tracker refuses pages served from another host name).
		log.Info("demo shop: open " + strings.TrimRight(cfg.PublicURL, "/") + "/demo/")
	}
	return inst, nil
}

// stop drains the server and closes the database; in-flight requests get
// cfg.ShutdownTimeout to finish. Calling it again returns the first result.
func (i *instance) stop() error {
	i.stopOnce.Do(func() {
		ctx, cancel := context.WithTimeout(context.Background(), i.cfg.ShutdownTimeout)
		defer cancel()
		// Order matters: no new requests, then the followers stopped, then
		// running steps finished and every accepted event written, then
		// the database closed.
		err := i.srv.Shutdown(ctx)
		// fasthttp's Shutdown does not see a listener whose Serve has not
		// started yet; closing it ourselves ends Serve in every case.
		_ = i.ln.Close()
		if serr := <-i.serve; serr != nil && !errors.Is(serr, http.ErrServerClosed) && !errors.Is(serr, net.ErrClosed) {
			err = errors.Join(err, serr)
		}
		// The followers of the log (profiles, flows' enrolment, widgets,
		// connectors' workers) stop first: they resume from their
		// checkpoints, and they would otherwise hold the one writer
		// connection while the steps below finish.
		i.stopWork()
		if i.bounces != nil {
			_ = i.bounces.Close()
		}
		i.workers.Wait()
		// Steps running now finish (their events still go through the
		// writer); those not yet due stay queued for the next start.
		if i.auto != nil {
			err = errors.Join(err, i.auto.stop(ctx))
		}
		err = errors.Join(err, i.writer.Close(ctx))
		i.stopErr = errors.Join(err, i.st.Close())
	})
	return i.stopErr
}

func serve(ctx context.Context, cfg config.Config, log *slog.Logger, out io.Writer) error {
	inst, err := start(ctx, cfg, log, out)
	if err != nil {
		return err
	}
	select {
	case <-ctx.Done():
		log.Info("shutting down", "reason", "signal")
	case err := <-inst.serve:
		inst.serve <- err
		log.Error("server stopped unexpectedly", "err", err)
	}
	if err := inst.stop(); err != nil {
		return fmt.Errorf("shutdown: %w", err)
	}
	log.Info("stopped cleanly")
	return nil
}
