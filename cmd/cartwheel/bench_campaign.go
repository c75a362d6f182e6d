package main

import (
	"bufio"
	"context"
	"crypto/ecdh"
	"crypto/rand"
	"encoding/base64"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"runtime"
	"runtime/pprof"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/emersion/go-smtp"

	"github.com/cartwheelhq/cartwheel/campaigns"
	"github.com/cartwheelhq/cartwheel/messaging"
	"github.com/cartwheelhq/cartwheel/messaging/email"
	"github.com/cartwheelhq/cartwheel/messaging/webpush"
	"github.com/cartwheelhq/cartwheel/secrets"
	"github.com/cartwheelhq/cartwheel/store"
)

// benchCampaignHTML is a personalised newsletter of the size listmonk's
// default campaign template has: merge fields, a few paragraphs, links.
const benchCampaignHTML = `<h1>Hello {{.Contact.FirstName}},</h1>
<p>Our winter collection is here, and as one of our regulars you see it first. {{.Contact.FirstName}} {{.Contact.LastName}}, these are picked for you.</p>
<p><a href="https://shop.example/collections/winter">See the collection</a></p>
<p>Wool coats, merino jumpers and boots that keep the snow out. Free delivery on orders over 200 zł until Sunday.</p>
<p><a href="https://shop.example/collections/coats">Coats</a> · <a href="https://shop.example/collections/knitwear">Knitwear</a> · <a href="https://shop.example/collections/boots">Boots</a></p>
<p>Questions? Reply to this email, {{.Contact.FirstName}}: a person reads every one.</p>`

// benchCampaign seeds a temporary SQLite database with contacts, runs one
// campaign to an in-process receiver (an SMTP server that stores every
// message, or a push endpoint) and prints the rate from the moment the
// campaign starts, send latency and memory.
func benchCampaign(ctx context.Context, args []string, out io.Writer) error {
	fs := flag.NewFlagSet("bench campaign", flag.ContinueOnError)
	n := fs.Int("recipients", 100000, "audience size")
	channel := fs.String("channel", "email", "email or push")
	conns := fs.Int("conns", 8, "SMTP connections in the pool")
	workers := fs.Int("workers", 32, "messages in flight")
	cpuProfile := fs.String("cpuprofile", "", "write a CPU profile of the send to this file")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if *channel != "email" && *channel != "push" {
		return fmt.Errorf("--channel must be email or push")
	}
	dir, err := os.MkdirTemp("", "cartwheel-bench-campaign-")
	if err != nil {
		return err
	}
	defer os.RemoveAll(dir)
	log := slog.New(slog.DiscardHandler)
	st, err := store.Open(ctx, filepath.Join(dir, "cw.db"), log)
	if err != nil {
		return err
	}
	defer st.Close()
	if _, err := st.Migrate(ctx); err != nil {
		return err
	}
	key := make([]byte, 32)
	_, _ = rand.Read(key)
	box, err := secrets.New(key)
	if err != nil {
		return err
	}
	const ws = "ws_bench"
	now := time.Now().UTC()
	if err := st.CreateWorkspace(ctx, store.Workspace{ID: ws, Name: "Bench shop", SiteKey: "sk_bench", Timezone: "Europe/Warsaw",
		Currency: "PLN", Locale: "pl", AllowedOrigins: []string{}, CreatedAt: now, UpdatedAt: now}); err != nil {
		return err
	}
	msg := messaging.New(st, box, log, nil)
	if _, err := msg.UpdateSettings(ctx, ws, json.RawMessage(`{"from_email":"news@shop.example","from_name":"Bench shop",
		"address":"ul. Prosta 1, Warszawa","quiet_hours":{"start":0,"end":0}}`)); err != nil {
		return err
	}

	opts := campaigns.Options{Store: st, Settings: msg.Settings, Links: messaging.NewLinks("https://cw.example", box),
		Log: log, Workers: *workers}
	lat := &latencies{}
	var received func() int64
	in := campaigns.Input{Name: "Bench", Channel: *channel}
	seedStart := time.Now()
	switch *channel {
	case "email":
		if err := seedCampaignContacts(ctx, st, ws, *n, nil); err != nil {
			return err
		}
		rcv, err := startStoringSMTP(filepath.Join(dir, "mail.mbox"))
		if err != nil {
			return err
		}
		defer rcv.close()
		host, port, _ := net.SplitHostPort(rcv.ln.Addr().String())
		var p int
		fmt.Sscan(port, &p)
		mail, err := email.NewSMTP(email.SMTPConfig{Host: host, Port: p, TLS: "none", MaxConns: *conns}, log)
		if err != nil {
			return err
		}
		defer mail.Close()
		opts.Mail = timedMail{mail, lat}
		received = rcv.count.Load
		in.Email = &campaigns.EmailContent{Subject: "{{.Contact.FirstName}}, the winter collection is here", HTML: benchCampaignHTML}
	case "push":
		ep, err := startPushEndpoint()
		if err != nil {
			return err
		}
		defer ep.close()
		if err := seedCampaignContacts(ctx, st, ws, *n, ep); err != nil {
			return err
		}
		keys, err := msg.VAPIDKeys(ctx)
		if err != nil {
			return err
		}
		opts.Push = timedPush{webpush.NewSender(keys, "mailto:ops@shop.example", webpush.WithLogger(log),
			webpush.WithEndpointPolicy(webpush.EndpointPolicy{AllowPrivate: true})), lat}
		received = ep.count.Load
		in.Push = &campaigns.PushContent{Title: "{{.Contact.FirstName}}, the winter collection is here",
			Body: "Wool coats, merino jumpers and boots.", URL: "https://shop.example/collections/winter"}
	}
	fmt.Fprintf(out, "seeded %d contacts in %s\n", *n, time.Since(seedStart).Round(time.Millisecond))
	svc := campaigns.New(opts)
	c, err := svc.Create(ctx, ws, in)
	if err != nil {
		return err
	}
	runtime.GC()
	var base runtime.MemStats
	runtime.ReadMemStats(&base)
	var peakHeap atomic.Uint64
	sampleDone := make(chan struct{})
	go func() {
		t := time.NewTicker(100 * time.Millisecond)
		defer t.Stop()
		for {
			select {
			case <-sampleDone:
				return
			case <-t.C:
				var m runtime.MemStats
				runtime.ReadMemStats(&m)
				if m.HeapAlloc > peakHeap.Load() {
					peakHeap.Store(m.HeapAlloc)
				}
			}
		}
	}()
	if *cpuProfile != "" {
		f, err := os.Create(*cpuProfile)
		if err != nil {
			return err
		}
		defer f.Close()
		if err := pprof.StartCPUProfile(f); err != nil {
			return err
		}
		defer pprof.StopCPUProfile()
	}
	began := time.Now()
	if _, err := svc.Schedule(ctx, ws, c.ID); err != nil {
		return err
	}
	if err := svc.Tick(ctx); err != nil {
		return err
	}
	elapsed := time.Since(began)
	close(sampleDone)
	p, err := svc.Progress(ctx, ws, c.ID)
	if err != nil {
		return err
	}
	got := received()
	if p.Sent != *n || got != int64(*n) {
		return fmt.Errorf("sent %d, received %d, want %d (progress %+v)", p.Sent, got, *n, p)
	}
	p50, p99 := lat.quantiles()
	fmt.Fprintf(out, "campaign: %d %s messages in %s: %.0f/s (from schedule to the last outcome committed)\n",
		*n, *channel, elapsed.Round(time.Millisecond), float64(*n)/elapsed.Seconds())
	fmt.Fprintf(out, "send latency: p50 %s, p99 %s\n", p50, p99)
	rss, _ := peakRSS(os.Getpid())
	fmt.Fprintf(out, "memory: heap %.1f MB before, peak %.1f MB while sending; peak RSS %.1f MB (receiver in the same process)\n",
		float64(base.HeapAlloc)/1e6, float64(peakHeap.Load())/1e6, float64(rss)/1024)
	return nil
}

// seedCampaignContacts adds n contacts with email consent (and, with ep, one push
// subscription each), in transactions of 5,000.
func seedCampaignContacts(ctx context.Context, st *store.Store, ws string, n int, ep *pushEndpoint) error {
	var p256dh, auth string
	if ep != nil {
		k, err := ecdh.P256().GenerateKey(rand.Reader)
		if err != nil {
			return err
		}
		p256dh = base64.RawURLEncoding.EncodeToString(k.PublicKey().Bytes())
		a := make([]byte, 16)
		_, _ = rand.Read(a)
		auth = base64.RawURLEncoding.EncodeToString(a)
	}
	first := []string{"Anna", "Piotr", "Maria", "Jan", "Zofia", "Krzysztof", "Ewa", "Tomasz"}
	at := time.Now().UTC()
	for lo := 0; lo < n; lo += 5000 {
		err := st.InTx(ctx, func(tx *store.Tx) error {
			for i := lo; i < min(lo+5000, n); i++ {
				id := fmt.Sprintf("ct_%07d", i)
				if err := tx.CreateContact(store.Contact{WorkspaceID: ws, ID: id, Email: fmt.Sprintf("r%07d@example.com", i),
					FirstName: first[i%len(first)], LastName: "Kowalska", Attributes: json.RawMessage("{}"), CreatedAt: at}); err != nil {
					return err
				}
				if err := tx.SetConsent(ws, id, store.Consent{Channel: "email", Granted: true, Source: "bench", UpdatedAt: at}); err != nil {
					return err
				}
				if ep == nil {
					continue
				}
				visitor := fmt.Sprintf("v_%07d", i)
				if err := tx.AddIdentity(ws, "visitor", visitor, id, at); err != nil {
					return err
				}
				if err := tx.AddPushSubscription(store.PushSubscription{ID: fmt.Sprintf("push_%07d", i), WorkspaceID: ws,
					VisitorID: visitor, Endpoint: fmt.Sprintf("%s/push/%07d", ep.url, i), P256dh: p256dh, Auth: auth, UpdatedAt: at}); err != nil {
					return err
				}
			}
			return nil
		})
		if err != nil {
			return err
		}
	}
	return nil
}

// storingSMTP is an SMTP server that appends every message it receives to
// one file, as the listmonk measurement's receiver stored each message.
type storingSMTP struct {
	ln    net.Listener
	srv   *smtp.Server
	mu    sync.Mutex
	f     *os.File
	w     *bufio.Writer
	count atomic.Int64
}

func startStoringSMTP(path string) (*storingSMTP, error) {
	f, err := os.Create(path)
	if err != nil {
		return nil, err
	}
	s := &storingSMTP{f: f, w: bufio.NewWriterSize(f, 1<<20)}
	s.srv = smtp.NewServer(s)
	s.srv.Domain = "localhost"
	s.srv.AllowInsecureAuth = true
	s.srv.MaxMessageBytes = 1 << 20
	if s.ln, err = net.Listen("tcp", "127.0.0.1:0"); err != nil {
		return nil, err
	}
	go func() { _ = s.srv.Serve(s.ln) }()
	return s, nil
}

func (s *storingSMTP) close() {
	_ = s.srv.Close()
	s.mu.Lock()
	_ = s.w.Flush()
	s.mu.Unlock()
	_ = s.f.Close()
}

// NewSession implements smtp.Backend.
func (s *storingSMTP) NewSession(*smtp.Conn) (smtp.Session, error) { return &storingSession{s: s}, nil }

type storingSession struct {
	s    *storingSMTP
	from string
	to   []string
}

func (se *storingSession) Mail(from string, _ *smtp.MailOptions) error { se.from = from; return nil }
func (se *storingSession) Rcpt(to string, _ *smtp.RcptOptions) error {
	se.to = append(se.to, to)
	return nil
}
func (se *storingSession) Data(r io.Reader) error {
	body, err := io.ReadAll(r)
	if err != nil {
		return err
	}
	se.s.mu.Lock()
	fmt.Fprintf(se.s.w, "From %s %s\n", se.from, strings.Join(se.to, ","))
	_, err = se.s.w.Write(body)
	se.s.mu.Unlock()
	if err != nil {
		return err
	}
	se.s.count.Add(1)
	return nil
}
func (se *storingSession) Reset()        { se.from, se.to = "", nil }
func (se *storingSession) Logout() error { return nil }

// pushEndpoint is a local push service: it takes every POST with 201.
type pushEndpoint struct {
	url   string
	srv   *http.Server
	count atomic.Int64
}

func startPushEndpoint() (*pushEndpoint, error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return nil, err
	}
	ep := &pushEndpoint{url: "http://" + ln.Addr().String()}
	ep.srv = &http.Server{ReadHeaderTimeout: 5 * time.Second, Handler: http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if _, err := io.Copy(io.Discard, r.Body); err != nil || r.Method != http.MethodPost || r.Header.Get("Authorization") == "" {
			w.WriteHeader(http.StatusBadRequest)
			return
		}
		ep.count.Add(1)
		w.WriteHeader(http.StatusCreated)
	})}
	go func() { _ = ep.srv.Serve(ln) }()
	return ep, nil
}

func (ep *pushEndpoint) close() { _ = ep.srv.Close() }

// latencies keeps send durations in fixed buckets (10µs wide up to 1s):
// memory that does not grow with the audience.
type latencies struct {
	mu      sync.Mutex
	buckets [100001]int64
	n       int64
}

func (l *latencies) add(d time.Duration) {
	i := min(int(d/(10*time.Microsecond)), len(l.buckets)-1)
	l.mu.Lock()
	l.buckets[i]++
	l.n++
	l.mu.Unlock()
}

func (l *latencies) quantiles() (p50, p99 time.Duration) {
	l.mu.Lock()
	defer l.mu.Unlock()
	at := func(q float64) time.Duration {
		target, seen := int64(q*float64(l.n)), int64(0)
		for i, c := range l.buckets {
			if seen += c; seen > target {
				return time.Duration(i) * 10 * time.Microsecond
			}
		}
		return time.Second
	}
	return at(0.5), at(0.99)
}

type timedMail struct {
	email.Sender
	lat *latencies
}

func (t timedMail) Send(ctx context.Context, m email.Mail) error {
	began := time.Now()
	err := t.Sender.Send(ctx, m)
	t.lat.add(time.Since(began))
	return err
}

type timedPush struct {
	s   *webpush.Sender
	lat *latencies
}

func (t timedPush) Send(ctx context.Context, sub webpush.Subscription, payload []byte, o webpush.SendOptions) (webpush.Result, error) {
	began := time.Now()
	r, err := t.s.Send(ctx, sub, payload, o)
	t.lat.add(time.Since(began))
	return r, err
}
