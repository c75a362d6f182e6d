package campaigns

import (
	"cmp"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"sync"
	"sync/atomic"
	"text/template"
	"time"

	"github.com/cartwheelhq/cartwheel/ids"
	"github.com/cartwheelhq/cartwheel/messaging"
	"github.com/cartwheelhq/cartwheel/messaging/email"
	"github.com/cartwheelhq/cartwheel/messaging/webpush"
	"github.com/cartwheelhq/cartwheel/store"
)

// Skip reasons recorded on recipients; the report and console show them.
const (
	SkipNoEmail        = "no email address"
	SkipNoConsent      = "no email consent"
	SkipCap            = "frequency cap"
	SkipNoSubscription = "no subscription"
	SkipPushDisabled   = "push disabled"
)

// maxTemporary is how many temporary failures a run takes before it stops
// and leaves the rest for a minute later: the relay is down.
const maxTemporary = 50

// send is one run's sending of one campaign: its content compiled once,
// a claimer deciding batches of due recipients, workers rendering and
// sending, and a committer recording outcomes.
type send struct {
	r        *runner
	row      store.Campaign
	c        Campaign
	ws       store.Workspace
	settings messaging.Settings
	shop     email.Shop
	wall     time.Time // the local send time, for SendLocal
	emails   []*email.Compiled
	pushes   []pushTemplate
	tracker  email.Tracker
	temp     atomic.Int64
}

type pushTemplate struct {
	title, body, url *template.Template
	icon, image      string
}

// job is one recipient to send to.
type job struct {
	rec     store.DueRecipient
	msgID   string
	variant int
	loc     *time.Location
	locale  string
	// subs are the contact's browsers (push), read for the whole batch.
	subs []store.PushSubscription
}

// result is a job's outcome; temp means "leave it queued, try later".
type result struct {
	out  store.MessageOutcome
	temp bool
}

func (r *runner) newSend(ctx context.Context, row store.Campaign, c Campaign) (*send, error) {
	o := r.s.o
	sd := &send{r: r, row: row, c: c, tracker: o.Links.EmailTracker()}
	var err error
	if sd.ws, err = o.Store.Workspace(ctx, row.WorkspaceID); err != nil {
		return nil, fmt.Errorf("workspace: %w", err)
	}
	if sd.settings, err = o.Settings(ctx, row.WorkspaceID); err != nil {
		return nil, fmt.Errorf("messaging settings: %w", err)
	}
	sd.shop = email.Shop{Name: sd.ws.Name, Address: sd.settings.Address, Currency: sd.ws.Currency, Locale: sd.ws.Locale}
	shops, err := o.Store.Shops(ctx, row.WorkspaceID)
	if err != nil {
		return nil, err
	}
	if len(shops) > 0 {
		if d := strings.TrimRight(strings.TrimSpace(shops[0].Domain), "/"); d != "" {
			sd.shop.URL = d
			if !strings.Contains(d, "://") {
				sd.shop.URL = "https://" + d
			}
		}
		sd.shop.Name = cmp.Or(sd.shop.Name, shops[0].Name)
	}
	if c.Spec.Schedule.Mode == SendLocal {
		sd.wall, _ = parseWall(c.Spec.Schedule.LocalTime)
	}
	variants := c.Spec.Variants
	if len(variants) == 0 {
		variants = []Variant{{}}
	}
	for _, v := range variants {
		switch row.Channel {
		case ChannelEmail:
			tpl, err := email.Parse(variantTemplate(*c.Spec.Email, v))
			if err != nil {
				return nil, err
			}
			sd.emails = append(sd.emails, tpl)
		case ChannelPush:
			pc := variantPush(*c.Spec.Push, v)
			pt := pushTemplate{icon: pc.Icon, image: pc.Image}
			for _, f := range []struct {
				dst **template.Template
				src string
			}{{&pt.title, pc.Title}, {&pt.body, pc.Body}, {&pt.url, pc.URL}} {
				if *f.dst, err = template.New("push").Option("missingkey=zero").Parse(f.src); err != nil {
					return nil, invalid("push", "%v", err)
				}
			}
			sd.pushes = append(sd.pushes, pt)
		default:
			return nil, fmt.Errorf("campaign %s: channel %q cannot be sent", row.ID, row.Channel)
		}
	}
	return sd, nil
}

// sendAll sends what was queued before (a crash or a pause), then every
// due pending recipient, until done, stopped or the relay keeps failing.
// It returns the number of temporary failures.
func (sd *send) sendAll(ctx context.Context, stop *atomic.Bool) int {
	o := sd.r.s.o
	// A whole claimed batch fits in the queue, so the workers keep
	// sending while the next batch is decided and committed.
	jobs := make(chan job, sendBatch+2*o.Workers)
	results := make(chan result, 4*o.Workers)
	var inflight sync.WaitGroup
	// Sends in flight finish even when ctx ends (shutdown): a message
	// handed to the relay must have its outcome recorded.
	sendCtx := context.WithoutCancel(ctx)
	var workers sync.WaitGroup
	for range o.Workers {
		workers.Go(func() {
			for j := range jobs {
				if stop.Load() {
					// Paused or cancelled: a job not yet sent stays queued
					// (resume sends it first), rather than the whole queue
					// draining after the pause.
					results <- result{temp: true}
					continue
				}
				results <- sd.deliver(sendCtx, j)
			}
		})
	}
	committed := make(chan struct{})
	go func() {
		defer close(committed)
		sd.commitLoop(sendCtx, results, &inflight)
	}()

	throttle := newThrottle(sd.c.Spec.ThrottlePerMinute)
	halted := func() bool { return stop.Load() || ctx.Err() != nil || sd.temp.Load() >= maxTemporary }
	limit := sendBatch
	if t := sd.c.Spec.ThrottlePerMinute; t > 0 {
		limit = min(sendBatch, max(t/12, 1)) // about five seconds' worth
	}
	capCount, capSince := 0, time.Time{}
	if cp, ok := sd.settings.Caps[sd.row.Channel]; ok && cp.Count > 0 && cp.Window > 0 {
		capCount = cp.Count
	}
	dispatch := func(js []job) bool {
		for _, j := range js {
			if !throttle.wait(ctx, stop) || halted() {
				return false
			}
			inflight.Add(1)
			jobs <- j
		}
		return true
	}
passes:
	for _, state := range []string{store.RecipientQueued, store.RecipientPending} {
		for !halted() {
			now := o.Now().UTC()
			if capCount > 0 {
				capSince = now.Add(-time.Duration(sd.settings.Caps[sd.row.Channel].Window))
			}
			due, err := o.Store.DueCampaignRecipients(ctx, sd.row.WorkspaceID, sd.row.ID, sd.row.Channel, state, capSince, now, limit)
			if err != nil {
				sd.r.s.log.Error("campaigns: due recipients", "campaign", sd.row.ID, "err", err)
				sd.temp.Add(maxTemporary)
				break passes
			}
			if len(due) == 0 {
				break
			}
			changes, js := sd.decide(due, state, capCount, now)
			if sd.row.Channel == ChannelPush && len(js) > 0 {
				if err := sd.attachSubscriptions(ctx, js); err != nil {
					sd.r.s.log.Error("campaigns: push subscriptions", "campaign", sd.row.ID, "err", err)
					sd.temp.Add(maxTemporary)
					break passes
				}
			}
			if len(changes) > 0 {
				if err := o.Store.ApplyRecipientChanges(ctx, sd.row.WorkspaceID, sd.row.ID, changes); err != nil {
					sd.r.s.log.Error("campaigns: queue recipients", "campaign", sd.row.ID, "err", err)
					sd.temp.Add(maxTemporary)
					break passes
				}
			}
			if !dispatch(js) {
				break passes
			}
			if state == store.RecipientQueued {
				// These rows stay queued until their outcome commits: wait
				// for it before asking for queued rows again.
				inflight.Wait()
				if sd.temp.Load() > 0 {
					break passes
				}
			}
		}
	}
	close(jobs)
	workers.Wait()
	close(results)
	<-committed
	return int(sd.temp.Load())
}

// decide settles, defers or queues each due recipient. Recipients found
// queued (by a run that crashed or was paused) keep their message.
func (sd *send) decide(due []store.DueRecipient, state string, capCount int, now time.Time) ([]store.RecipientChange, []job) {
	var changes []store.RecipientChange
	js := make([]job, 0, len(due))
	for _, rec := range due {
		var attrs struct {
			Timezone string `json:"timezone"`
			Locale   string `json:"locale"`
		}
		if len(rec.Attributes) > 2 {
			_ = json.Unmarshal(rec.Attributes, &attrs) // not an object: no attributes
		}
		loc := sd.r.location(strings.TrimSpace(attrs.Timezone), sd.ws.Timezone)
		j := job{rec: rec, msgID: rec.MessageID, variant: max(rec.Variant, 0), loc: loc, locale: attrs.Locale}
		if state == store.RecipientQueued {
			js = append(js, j)
			continue
		}
		settle := func(reason string) {
			changes = append(changes, store.RecipientChange{ContactID: rec.ContactID, State: store.RecipientSkipped, Reason: reason})
		}
		switch {
		case sd.row.Channel == ChannelEmail && rec.Email == "":
			settle(SkipNoEmail)
			continue
		case sd.row.Channel == ChannelEmail && !rec.Consent:
			settle(SkipNoConsent)
			continue
		case capCount > 0 && rec.RecentSends >= capCount:
			settle(SkipCap)
			continue
		}
		if !sd.wall.IsZero() {
			if at := LocalInstant(sd.wall, loc); at.After(now) {
				changes = append(changes, store.RecipientChange{ContactID: rec.ContactID, SendAt: at})
				continue
			}
		}
		if quiet, end := sd.settings.QuietHours.Quiet(now, loc); quiet {
			changes = append(changes, store.RecipientChange{ContactID: rec.ContactID, SendAt: end.UTC()})
			continue
		}
		j.msgID = ids.New("msg")
		subject := ""
		if sd.row.Channel == ChannelEmail {
			subject = variantTemplate(*sd.c.Spec.Email, sd.variant(j.variant)).Subject
		}
		changes = append(changes, store.RecipientChange{ContactID: rec.ContactID, Message: &store.Message{ID: j.msgID,
			ContactID: rec.ContactID, Channel: sd.row.Channel, StepKey: "campaign:" + sd.row.ID + ":" + rec.ContactID,
			Recipient: rec.Email, Subject: subject, CreatedAt: now}})
		js = append(js, j)
	}
	return changes, js
}

// attachSubscriptions reads the browsers of a batch of push jobs.
func (sd *send) attachSubscriptions(ctx context.Context, js []job) error {
	ids := make([]string, len(js))
	for i, j := range js {
		ids[i] = j.rec.ContactID
	}
	subs, err := sd.r.s.o.Store.CampaignPushSubscriptions(ctx, sd.row.WorkspaceID, ids)
	if err != nil {
		return err
	}
	for i := range js {
		js[i].subs = subs[js[i].rec.ContactID]
	}
	return nil
}

func (sd *send) variant(i int) Variant {
	if i < len(sd.c.Spec.Variants) {
		return sd.c.Spec.Variants[i]
	}
	return Variant{}
}

// commitLoop records outcomes in batches: whatever has arrived while the
// last transaction committed goes in the next, so a slow disk makes
// batches bigger rather than sends slower, and an idle moment commits at
// once (what keeps the window of a crash small).
func (sd *send) commitLoop(ctx context.Context, results <-chan result, inflight *sync.WaitGroup) {
	batch := make([]store.MessageOutcome, 0, 512)
	pending := 0 // results taken, including temporary ones
	flush := func() {
		for attempt := 0; len(batch) > 0; attempt++ {
			err := sd.r.s.o.Store.FinishCampaignMessages(ctx, sd.row.ID, batch)
			if err == nil {
				break
			}
			sd.r.s.log.Error("campaigns: record sends", "campaign", sd.row.ID, "n", len(batch), "attempt", attempt, "err", err)
			time.Sleep(min(time.Duration(attempt+1)*100*time.Millisecond, 2*time.Second))
		}
		batch = batch[:0]
		for range pending {
			inflight.Done()
		}
		pending = 0
	}
	for res := range results {
		take := func(res result) {
			pending++
			if !res.temp {
				batch = append(batch, res.out)
			}
		}
		take(res)
	drain:
		for len(batch) < cap(batch) {
			select {
			case more, ok := <-results:
				if !ok {
					break drain
				}
				take(more)
			default:
				break drain
			}
		}
		flush()
	}
	flush()
}

// deliver renders and sends one job.
func (sd *send) deliver(ctx context.Context, j job) result {
	out := store.MessageOutcome{MessageID: j.msgID, ContactID: j.rec.ContactID}
	var err error
	switch sd.row.Channel {
	case ChannelEmail:
		err = sd.deliverEmail(ctx, j, &out)
	case ChannelPush:
		err = sd.deliverPush(ctx, j, &out)
	}
	now := sd.r.s.o.Now().UTC()
	switch {
	case err == nil:
		if out.Status == "" {
			out.Status, out.State, out.SentAt = store.MessageSent, store.RecipientSent, now
		}
	case errors.Is(err, email.ErrPermanent) || errors.Is(err, email.ErrInvalidMail) || errors.Is(err, errPermanent):
		out.Status, out.State, out.Error = store.MessageFailed, store.RecipientFailed, err.Error()
	default:
		sd.temp.Add(1)
		sd.r.s.log.Warn("campaigns: temporary send failure", "campaign", sd.row.ID, "message", j.msgID, "err", err)
		return result{out: out, temp: true}
	}
	return result{out: out}
}

// errPermanent marks a failure no retry can fix (a template that does not
// render for this contact).
var errPermanent = errors.New("campaign: cannot be sent")

func (sd *send) deliverEmail(ctx context.Context, j job, out *store.MessageOutcome) error {
	o := sd.r.s.o
	links := o.Links.Email(sd.row.WorkspaceID, j.rec.ContactID, j.msgID)
	data := email.Data{Contact: email.Contact{FirstName: j.rec.FirstName, LastName: j.rec.LastName, Email: j.rec.Email,
		Timezone: j.loc.String(), Locale: j.locale}, Shop: sd.shop, Links: links}
	r, err := sd.emails[min(j.variant, len(sd.emails)-1)].Render(data)
	if err != nil {
		return fmt.Errorf("%w: %w", errPermanent, err)
	}
	html, err := sd.tracker.Rewrite(r.HTML, j.msgID)
	if err != nil {
		return fmt.Errorf("%w: %w", errPermanent, err)
	}
	out.Subject = r.Subject
	if o.Mail == nil {
		out.Status, out.State, out.SentAt = store.MessageOutbox, store.RecipientSent, o.Now().UTC()
		return nil
	}
	return o.Mail.Send(ctx, email.Mail{From: sd.settings.FromEmail, FromName: sd.settings.FromName, ReplyTo: sd.settings.ReplyTo,
		To: j.rec.Email, ToName: strings.TrimSpace(j.rec.FirstName + " " + j.rec.LastName), Subject: r.Subject, HTML: html,
		Text: r.Text, Headers: email.ListUnsubscribeHeaders(links.Unsubscribe, ""), MessageID: j.msgID})
}

func (sd *send) deliverPush(ctx context.Context, j job, out *store.MessageOutcome) error {
	o := sd.r.s.o
	skip := func(reason string) error {
		out.Status, out.State, out.Error = store.MessageSkipped, store.RecipientSkipped, reason
		return nil
	}
	if o.Push == nil {
		return skip(SkipPushDisabled)
	}
	subs := j.subs
	if len(subs) == 0 {
		return skip(SkipNoSubscription)
	}
	pt := sd.pushes[min(j.variant, len(sd.pushes)-1)]
	data := email.Data{Contact: email.Contact{FirstName: j.rec.FirstName, LastName: j.rec.LastName, Email: j.rec.Email,
		Timezone: j.loc.String(), Locale: j.locale}, Shop: sd.shop}
	// One pointer for the three templates: passing the struct would box a
	// copy of it for every Execute.
	dp := &data
	text := func(t *template.Template) (string, error) {
		var b strings.Builder
		if err := t.Execute(&b, dp); err != nil {
			return "", fmt.Errorf("%w: %w", errPermanent, err)
		}
		return strings.TrimSpace(b.String()), nil
	}
	var err error
	msg := webpush.Message{Icon: pt.icon, Image: pt.image, Tag: sd.row.ID, ClickID: j.msgID}
	if msg.Title, err = text(pt.title); err != nil {
		return err
	}
	if msg.Body, err = text(pt.body); err != nil {
		return err
	}
	target, err := text(pt.url)
	if err != nil {
		return err
	}
	if target = cmp.Or(target, sd.shop.URL); target != "" {
		msg.URL = o.Links.PushTracker().ClickURL(j.msgID, 0, target)
	}
	out.Subject = msg.Title
	payload, err := msg.Encode()
	if err != nil {
		return fmt.Errorf("%w: %w", errPermanent, err)
	}
	delivered := 0
	var errs []error
	for _, sub := range subs {
		res, err := o.Push.Send(ctx, webpush.Subscription{Endpoint: sub.Endpoint, P256dh: sub.P256dh, Auth: sub.Auth}, payload,
			// The workspace's own contact, as flows sign with (empty: the instance's).
			webpush.SendOptions{TTL: 24 * time.Hour, Subject: sd.settings.PushSubject})
		switch {
		case err == nil:
			delivered++
		case res.Gone || errors.Is(err, webpush.ErrGone) || errors.Is(err, webpush.ErrForbiddenEndpoint):
			if derr := o.Store.DeletePushSubscription(ctx, sd.row.WorkspaceID, sub.Endpoint); derr != nil && !errors.Is(derr, store.ErrNotFound) {
				sd.r.s.log.Warn("campaigns: could not delete a gone push subscription", "subscription", sub.ID, "err", derr)
			}
		default:
			errs = append(errs, err)
		}
	}
	switch {
	case delivered == 0 && len(errs) > 0:
		return errors.Join(errs...)
	case delivered == 0:
		return skip(SkipNoSubscription)
	}
	return nil
}

// throttle paces dispatches at perMinute; zero does not pace.
type throttle struct {
	every time.Duration
	next  time.Time
}

func newThrottle(perMinute int) *throttle {
	if perMinute <= 0 {
		return &throttle{}
	}
	return &throttle{every: time.Minute / time.Duration(perMinute)}
}

// wait blocks until the next send may go; false when stopped meanwhile.
func (t *throttle) wait(ctx context.Context, stop *atomic.Bool) bool {
	if t.every == 0 {
		return true
	}
	now := time.Now()
	if t.next.Before(now) {
		t.next = now
	}
	for d := time.Until(t.next); d > 0; d = time.Until(t.next) {
		if stop.Load() {
			return false
		}
		select {
		case <-ctx.Done():
			return false
		case <-time.After(min(d, 100*time.Millisecond)):
		}
	}
	t.next = t.next.Add(t.every)
	return true
}
