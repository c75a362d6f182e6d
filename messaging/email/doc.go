// Package email renders and delivers Cartwheel's marketing email.
//
// A flow step hands this package a [Template] authored by the shop admin and
// the [Data] for one contact; [Parse] and [Compiled.Render] produce the
// subject, the HTML inside a responsive, table-based layout (600px column,
// inline styles, preheader, and a footer with the shop's address and the
// unsubscribe and preferences links that no template can remove) and a
// text/plain alternative. [Tracker] then rewrites links for click tracking
// and adds the open pixel; [ListUnsubscribeHeaders] and [UnsubscribeToken]
// provide RFC 8058 one-click unsubscribe; a [Sender] delivers: [SMTPSender]
// over a pool of reused SMTP connections, or the [NewOutbox] store when no
// server is configured.
//
// The package signs but owns no keys (callers pass secrets.Box's Sign and
// Verify), decides nothing about who gets what (flows do), and imports no
// storage.
//
// # Opens and clicks
//
// Opens are recorded, and [ClassifyOpen] tells likely machine fetches (Apple
// Mail Privacy Protection, security scanners) from human ones, but
// engagement metrics — engaged segments, sunset rules, A/B winners,
// attribution — use clicks, not opens: since MPP prefetches every image of
// every message delivered to Apple Mail, an open proves delivery far more
// often than reading.
package email
