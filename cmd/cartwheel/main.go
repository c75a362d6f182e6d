// Command cartwheel is the one Cartwheel binary.
//
//	cartwheel serve [flags]     run the server (add --demo for the demo shop)
//	cartwheel migrate [flags]   apply database migrations and exit
//	cartwheel vapid [flags]     print the web push (VAPID) public key
//	cartwheel bench ingest      measure /collect throughput and latency
//	cartwheel bench webhooks    measure webhook acknowledgement and processing
//	cartwheel version           print the version
package main

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"os"
	"os/signal"
	"strconv"
	"syscall"
	"unicode/utf8"

	"github.com/cartwheelhq/cartwheel/config"
)

// version is set at build time with -ldflags "-X main.version=…".
var version = "dev"

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), syscall.SIGINT, syscall.SIGTERM)
	code := run(ctx, os.Args[1:], os.LookupEnv, os.Stdout, os.Stderr)
	stop()
	os.Exit(code)
}

const usage = `Usage: cartwheel <command> [flags]

Commands:
  serve     run the HTTP server (--demo adds the demo shop at /demo/)
  migrate   apply database migrations and exit
  vapid     print the web push (VAPID) public key, generating the key pair if needed
  bench     run a benchmark: "bench ingest" measures /collect end to end,
            "bench webhooks" a burst of Shopify deliveries, "bench reco"
            the recommendation strategies offline on a purchase log,
            "bench predict" backtests customer predictions on one,
            "bench scores" refits scores for --contacts synthetic contacts
  version   print the version

Run "cartwheel <command> -h" for the flags of a command. Every flag can also
be set with its CARTWHEEL_* environment variable (see README.md).
`

func run(ctx context.Context, args []string, env func(string) (string, bool), stdout, stderr io.Writer) int {
	if len(args) == 0 {
		fmt.Fprint(stderr, usage)
		return 2
	}
	cmd, rest := args[0], args[1:]
	switch cmd {
	case "version", "--version":
		fmt.Fprintln(stdout, "cartwheel", version)
		return 0
	case "help", "-h", "--help":
		fmt.Fprint(stdout, usage)
		return 0
	case "bench":
		benches := map[string]func(context.Context, []string, io.Writer) error{"campaign": benchCampaign, "ingest": benchIngest, "webhooks": benchWebhooks, "reco": benchReco, "predict": benchPredict, "scores": benchScores}
		if len(rest) == 0 || benches[rest[0]] == nil {
			fmt.Fprintln(stderr, "cartwheel: usage: cartwheel bench campaign|ingest|webhooks|reco|predict|scores [flags]")
			return 2
		}
		if err := benches[rest[0]](ctx, rest[1:], stdout); err != nil {
			fmt.Fprintln(stderr, "cartwheel bench:", err)
			return 1
		}
		return 0
	case "serve", "migrate", "vapid":
	default:
		fmt.Fprintf(stderr, "cartwheel: unknown command %q\n\n%s", cmd, usage)
		return 2
	}
	cfg, err := config.Load(cmd, rest, env, stderr)
	if err != nil {
		fmt.Fprintln(stderr, "cartwheel:", err)
		return 2
	}
	log := newLogger(cfg, stderr)
	switch cmd {
	case "migrate":
		err = migrate(ctx, cfg, log)
	case "vapid":
		err = vapid(ctx, cfg, log, stdout)
	default:
		err = serve(ctx, cfg, log, stdout)
	}
	if err != nil {
		log.Error("cartwheel "+cmd+" failed", "err", err)
		return 1
	}
	return 0
}

func newLogger(cfg config.Config, w io.Writer) *slog.Logger {
	var level slog.Level
	_ = level.UnmarshalText([]byte(cfg.LogLevel))
	opts := &slog.HandlerOptions{Level: level, ReplaceAttr: boundAttr}
	if cfg.LogFormat == "json" {
		return slog.New(slog.NewJSONHandler(w, opts))
	}
	return slog.New(slog.NewTextHandler(w, opts))
}

// maxLogValue bounds one logged value: an error quoting a 1 MB request
// body must not become a 1 MB log line.
const maxLogValue = 1000

// boundAttr clips long strings and errors in log records.
func boundAttr(_ []string, a slog.Attr) slog.Attr {
	var s string
	switch v := a.Value.Any().(type) {
	case string:
		s = v
	case error:
		s = v.Error()
	default:
		return a
	}
	if len(s) <= maxLogValue {
		return a
	}
	n := maxLogValue
	for n > 0 && !utf8.RuneStart(s[n]) {
		n--
	}
	return slog.String(a.Key, s[:n]+"… ("+strconv.Itoa(len(s))+" bytes)")
}
