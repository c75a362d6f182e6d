package main

import (
	"context"
	"io"
	"log/slog"
	"testing"
)

// BenchmarkStartup measures start-up to ready (database created and migrated,
// admin token set, server listening) on an empty data dir.
func BenchmarkStartup(b *testing.B) {
	for _, demo := range []bool{false, true} {
		name := "empty"
		if demo {
			name = "empty+demo"
		}
		b.Run(name, func(b *testing.B) {
			log := slog.New(slog.NewTextHandler(io.Discard, nil))
			for b.Loop() {
				b.StopTimer()
				env := map[string]string{"CARTWHEEL_ADDR": "127.0.0.1:0", "CARTWHEEL_DATA_DIR": b.TempDir(),
					"CARTWHEEL_ADMIN_TOKEN": testAdminToken}
				if demo {
					env["CARTWHEEL_DEMO"] = "true"
				}
				cfg := mustConfig(b, env)
				b.StartTimer()
				inst, err := start(context.Background(), cfg, log, io.Discard)
				if err != nil {
					b.Fatal(err)
				}
				b.StopTimer()
				if err := inst.stop(); err != nil {
					b.Fatal(err)
				}
				b.StartTimer()
			}
		})
	}
}
