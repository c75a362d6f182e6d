package config

import (
	"errors"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

func env(m map[string]string) func(string) (string, bool) {
	return func(k string) (string, bool) { v, ok := m[k]; return v, ok }
}

func TestDefaults(t *testing.T) {
	c, err := Load("serve", nil, env(nil), io.Discard)
	if err != nil {
		t.Fatal(err)
	}
	if c.Addr != ":8080" || c.DataDir != "./data" {
		t.Errorf("defaults: addr %q data dir %q", c.Addr, c.DataDir)
	}
	if c.DatabaseURL != filepath.Join("data", "cartwheel.db") {
		t.Errorf("database URL %q", c.DatabaseURL)
	}
	if c.PublicURL != "http://localhost:8080" {
		t.Errorf("public URL %q", c.PublicURL)
	}
}

func TestFlagBeatsEnv(t *testing.T) {
	c, err := Load("serve", []string{"--addr", ":9000", "--demo"}, env(map[string]string{
		"CARTWHEEL_ADDR": ":7000", "CARTWHEEL_DATA_DIR": "/tmp/x", "CARTWHEEL_SHUTDOWN_TIMEOUT": "3s",
		"CARTWHEEL_PUBLIC_URL": "https://shop.example/",
	}), io.Discard)
	if err != nil {
		t.Fatal(err)
	}
	if c.Addr != ":9000" || c.DataDir != "/tmp/x" || !c.Demo || c.ShutdownTimeout != 3*time.Second {
		t.Errorf("got %+v", c)
	}
	if c.PublicURL != "https://shop.example" {
		t.Errorf("public URL not trimmed: %q", c.PublicURL)
	}
}

func TestRejects(t *testing.T) {
	for _, tc := range []struct {
		env  map[string]string
		args []string
		want string
	}{
		{env: map[string]string{"CARTWHEEL_DATABASE_URL": "postgres://u@h/db"}, want: "not yet supported"},
		{env: map[string]string{"CARTWHEEL_DATABASE_URL": "mysql://u@h/db"}, want: "unsupported database URL"},
		{env: map[string]string{"CARTWHEEL_DEMO": "maybe"}, want: "not a boolean"},
		{env: map[string]string{"CARTWHEEL_PUBLIC_URL": "shop.example"}, want: "absolute http"},
		{env: map[string]string{"CARTWHEEL_LOG_LEVEL": "loud"}, want: "log level"},
		{env: map[string]string{"CARTWHEEL_SMTP_URL": "http://mail.example"}, want: "smtp://"},
		{env: map[string]string{"CARTWHEEL_SMTP_URL": "smtp://mail.example?tls=maybe"}, want: "tls="},
		{env: map[string]string{"CARTWHEEL_SMTP_URL": "smtp://u:secret@mail.example:99999"}, want: "bad port"},
		{env: map[string]string{"CARTWHEEL_PUSH_SUBJECT": "ops@shop.example"}, want: "mailto: or https:"},
		{env: map[string]string{"CARTWHEEL_PUSH_ALLOW_PRIVATE_ENDPOINTS": "sometimes"}, want: "not a boolean"},
		{env: map[string]string{"CARTWHEEL_AUTOMATION_WORKERS": "2.5"}, want: "not a whole number"},
		{env: map[string]string{"CARTWHEEL_AUTOMATION_WORKERS": "0"}, want: "at least 1"},
		{env: map[string]string{"CARTWHEEL_TRUSTED_PROXIES": "10.0.0.0/8, proxy.local"}, want: "neither a CIDR"},
		{env: map[string]string{"CARTWHEEL_TRUSTED_PROXIES": "10.0.0.0/33"}, want: "neither a CIDR"},
		{env: map[string]string{"CARTWHEEL_UPSTREAM_TIMEOUT": "0s"}, want: "upstream timeout"},
		{env: map[string]string{"CARTWHEEL_UPSTREAM_TIMEOUT": "1h"}, want: "upstream timeout"},
		{args: []string{"--nope"}, want: "not defined"},
		{args: []string{"extra"}, want: "unexpected argument"},
	} {
		_, err := Load("serve", tc.args, env(tc.env), io.Discard)
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("env %v args %v: error %v, want %q", tc.env, tc.args, err, tc.want)
		}
	}
	// A refused SMTP URL never echoes its password.
	if _, err := Load("serve", nil, env(map[string]string{"CARTWHEEL_SMTP_URL": "smtp://u:secret@mail.example:99999"}), io.Discard); err == nil || strings.Contains(err.Error(), "secret") {
		t.Errorf("SMTP URL error %v", err)
	}
	_, err := Load("serve", nil, env(map[string]string{"CARTWHEEL_DATABASE_URL": "postgresql://x"}), io.Discard)
	if !errors.Is(err, ErrPostgresNotSupported) {
		t.Errorf("postgresql:// not rejected with ErrPostgresNotSupported: %v", err)
	}
}

func TestTrustedProxies(t *testing.T) {
	c, err := Load("serve", nil, env(map[string]string{"CARTWHEEL_TRUSTED_PROXIES": " 10.1.2.3/8 ,192.168.0.7, ::1"}), io.Discard)
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, p := range c.TrustedProxyNets {
		got = append(got, p.String())
	}
	if strings.Join(got, " ") != "10.0.0.0/8 192.168.0.7/32 ::1/128" {
		t.Errorf("trusted proxies %v", got)
	}
	if c, _ := Load("serve", nil, env(nil), io.Discard); len(c.TrustedProxyNets) != 0 || c.UpstreamTimeout != 10*time.Second {
		t.Errorf("defaults: proxies %v, upstream timeout %v", c.TrustedProxyNets, c.UpstreamTimeout)
	}
}

// Every environment variable must be documented in the README's
// configuration table, so the reference cannot silently go stale.
func TestREADMEDocumentsEveryVariable(t *testing.T) {
	readme, err := os.ReadFile("../README.md")
	if err != nil {
		t.Fatal(err)
	}
	for _, name := range EnvNames() {
		if !strings.Contains(string(readme), "`"+name+"`") {
			t.Errorf("README.md does not document %s", name)
		}
	}
}

func TestBounceSettings(t *testing.T) {
	c, err := Load("serve", nil, env(map[string]string{"CARTWHEEL_BOUNCE_DOMAIN": " Bounce.Shop.Example ",
		"CARTWHEEL_BOUNCE_LISTEN": "127.0.0.1:2525"}), io.Discard)
	if err != nil || c.BounceDomain != "bounce.shop.example" || c.BounceListen != "127.0.0.1:2525" {
		t.Fatalf("%+v %v", c, err)
	}
	for _, e := range []map[string]string{
		{"CARTWHEEL_BOUNCE_LISTEN": ":2525"},
		{"CARTWHEEL_BOUNCE_DOMAIN": "bounces@shop.example"},
		{"CARTWHEEL_BOUNCE_DOMAIN": "localhost"},
	} {
		if _, err := Load("serve", nil, env(e), io.Discard); err == nil {
			t.Errorf("%v accepted", e)
		}
	}
}
