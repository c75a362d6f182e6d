package main

import (
	"fmt"
	"net"

	"github.com/cartwheelhq/cartwheel/config"
	"github.com/cartwheelhq/cartwheel/messaging"
	"github.com/cartwheelhq/cartwheel/messaging/bounce"
	"github.com/cartwheelhq/cartwheel/secrets"
)

// deliverabilityOptions are the messaging service's bounce (VERP) and
// SPF-check settings from the configuration.
func deliverabilityOptions(cfg config.Config, box *secrets.Box, rec messaging.Recorder) (*bounce.VERP, []messaging.Option) {
	opts := []messaging.Option{messaging.WithRecorder(rec)}
	if s, err := config.SMTP(cfg.SMTPURL); cfg.SMTPURL != "" && err == nil {
		opts = append(opts, messaging.WithRelayHost(s.Host))
	}
	if cfg.BounceDomain == "" {
		return nil, opts
	}
	v := bounce.NewVERP(box.SigningKey("email-verp"), cfg.BounceDomain)
	return v, append(opts, messaging.WithBounces(v))
}

// startBounceListener opens CARTWHEEL_BOUNCE_LISTEN, when set, and serves
// bounces and complaints on it until stop.
func (i *instance) startBounceListener(v *bounce.VERP) error {
	if i.cfg.BounceListen == "" || v == nil {
		return nil
	}
	ln, err := net.Listen("tcp", i.cfg.BounceListen)
	if err != nil {
		return fmt.Errorf("bounce listener on %s: %w", i.cfg.BounceListen, err)
	}
	i.bounces = bounce.NewListener(v, i.messaging, i.log)
	i.bounceAddr = ln.Addr().String()
	i.workers.Go(func() {
		if err := i.bounces.Serve(ln); err != nil {
			i.log.Error("bounce listener stopped", "err", err)
		}
	})
	i.log.Info("bounce listener ready", "addr", i.bounceAddr, "domain", v.Domain())
	return nil
}
