package admin

import (
	"context"
	"errors"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/cartwheelhq/cartwheel/campaigns"
	"github.com/cartwheelhq/cartwheel/messaging"
	"github.com/cartwheelhq/cartwheel/store"
)

// routesCampaigns registers the campaigns pages: the list with the editor
// for a new campaign, and each campaign's page (editor while a draft,
// progress, report, schedule, pause, resume, cancel).
func (h *Handler) routesCampaigns(m *http.ServeMux) {
	m.HandleFunc("GET /admin/w/{ws}/campaigns", h.inWorkspace(h.campaigns))
	m.HandleFunc("POST /admin/w/{ws}/campaigns", h.inWorkspace(h.editor(h.createCampaign)))
	m.HandleFunc("GET /admin/w/{ws}/campaigns/{id}", h.inWorkspace(h.campaign))
	m.HandleFunc("POST /admin/w/{ws}/campaigns/{id}", h.inWorkspace(h.editor(h.saveCampaign)))
	m.HandleFunc("POST /admin/w/{ws}/campaigns/{id}/{action}", h.inWorkspace(h.editor(h.campaignAction)))
}

func (h *Handler) campaigns(w http.ResponseWriter, r *http.Request, q *request) error {
	return h.renderCampaigns(w, r, q, http.StatusOK, campaignForm(campaigns.Campaign{Channel: campaigns.ChannelEmail}))
}

func (h *Handler) renderCampaigns(w http.ResponseWriter, r *http.Request, q *request, status int, f *form) error {
	if h.opt.Campaigns == nil {
		h.render(w, r, q, http.StatusOK, "message.html", messagePage("campaigns.unavailable"))
		return nil
	}
	list, err := h.opt.Campaigns.List(r.Context(), q.WS.ID)
	if err != nil {
		return err
	}
	h.render(w, r, q, status, "campaigns.html", map[string]any{"Title": "campaigns.title", "Campaigns": list, "Form": f})
	return nil
}

// campaignForm is a campaign as the editor's fields.
func campaignForm(c campaigns.Campaign) *form {
	f := newForm()
	v := f.Values
	v["name"], v["channel"] = c.Name, c.Channel
	s := c.Spec
	if s.Email != nil {
		v["subject"], v["html"] = s.Email.Subject, s.Email.HTML
	}
	if s.Push != nil {
		v["title"], v["body"], v["url"] = s.Push.Title, s.Push.Body, s.Push.URL
	}
	v["segments"], v["exclude"] = strings.Join(s.Audience.Segments, ", "), strings.Join(s.Audience.Exclude, ", ")
	v["mode"] = s.Schedule.Mode
	if v["mode"] == "" {
		v["mode"] = campaigns.SendNow
	}
	if !s.Schedule.At.IsZero() {
		v["at"] = s.Schedule.At.UTC().Format("2006-01-02T15:04")
	}
	v["local_time"] = s.Schedule.LocalTime
	if s.Test != nil && len(s.Variants) > 1 {
		v["variant_b"] = s.Variants[1].Subject + s.Variants[1].Title
		v["sample"] = strconv.Itoa(s.Test.SamplePercent)
		v["wait"] = time.Duration(s.Test.Wait).String()
		v["metric"] = s.Test.Metric
	}
	if s.ThrottlePerMinute > 0 {
		v["throttle"] = strconv.Itoa(s.ThrottlePerMinute)
	}
	return f
}

func splitIDs(s string) []string {
	var out []string
	for p := range strings.SplitSeq(s, ",") {
		if p = strings.TrimSpace(p); p != "" {
			out = append(out, p)
		}
	}
	return out
}

// campaignInput reads the editor's fields; f keeps what was typed and gets
// the errors of fields that do not parse.
func (h *Handler) campaignInput(r *http.Request, q *request) (campaigns.Input, *form) {
	f := newForm()
	for _, k := range []string{"name", "channel", "subject", "html", "title", "body", "url", "segments", "exclude", "mode", "at",
		"local_time", "variant_b", "sample", "wait", "metric", "throttle"} {
		f.Values[k] = strings.TrimSpace(r.PostFormValue(k))
	}
	v := f.Values
	in := campaigns.Input{Name: v["name"], Channel: v["channel"]}
	switch in.Channel {
	case campaigns.ChannelPush:
		in.Push = &campaigns.PushContent{Title: v["title"], Body: v["body"], URL: v["url"]}
	default:
		in.Email = &campaigns.EmailContent{Subject: v["subject"], HTML: v["html"]}
	}
	in.Audience = campaigns.AudienceDef{Segments: splitIDs(v["segments"]), Exclude: splitIDs(v["exclude"])}
	in.Schedule = campaigns.Schedule{Mode: v["mode"], LocalTime: v["local_time"]}
	if v["mode"] == campaigns.SendAt {
		// The time is typed in the workspace's time zone.
		loc, err := time.LoadLocation(q.WS.Timezone)
		if err != nil {
			loc = time.UTC
		}
		at, err := time.ParseInLocation("2006-01-02T15:04", v["at"], loc)
		if err != nil {
			f.Errors["at"] = h.texts.text(q.Locale, "campaigns.bad_time")
		}
		in.Schedule.At = at.UTC()
	}
	if v["variant_b"] != "" {
		sample, _ := strconv.Atoi(v["sample"])
		var wait messaging.Duration
		if err := wait.UnmarshalJSON([]byte(strconv.Quote(v["wait"]))); err != nil {
			f.Errors["wait"] = h.texts.text(q.Locale, "campaigns.bad_wait")
		}
		in.Test = &campaigns.ABTest{SamplePercent: sample, Wait: wait, Metric: v["metric"]}
		if in.Channel == campaigns.ChannelPush {
			in.Variants = []campaigns.Variant{{Title: v["title"]}, {Title: v["variant_b"]}}
		} else {
			in.Variants = []campaigns.Variant{{Subject: v["subject"]}, {Subject: v["variant_b"]}}
		}
	}
	if v["throttle"] != "" {
		n, err := strconv.Atoi(v["throttle"])
		if err != nil || n < 0 {
			f.Errors["throttle"] = h.texts.text(q.Locale, "campaigns.bad_throttle")
		}
		in.ThrottlePerMinute = n
	}
	return in, f
}

// fieldOf is the editor field a campaign error belongs next to.
func fieldOf(e *campaigns.InvalidError) string {
	p := e.Field
	switch {
	case p == "name" || p == "channel":
		return p
	case p == "email.subject" || p == "push.title":
		return map[string]string{"email.subject": "subject", "push.title": "title"}[p]
	case strings.HasPrefix(p, "email") || strings.HasPrefix(p, "push") || strings.HasPrefix(p, "variants"):
		return "html"
	case strings.HasPrefix(p, "schedule"):
		return "mode"
	case strings.HasPrefix(p, "ab_test"):
		return "variant_b"
	case strings.HasPrefix(p, "throttle"):
		return "throttle"
	case strings.HasPrefix(p, "audience"):
		return "segments"
	}
	return "name"
}

// campaignErr puts a campaign error next to its field; false when err is
// not the caller's.
func campaignErr(f *form, err error) bool {
	var inv *campaigns.InvalidError
	if !errors.As(err, &inv) {
		return false
	}
	f.Errors[fieldOf(inv)] = inv.Reason
	return true
}

func (h *Handler) createCampaign(w http.ResponseWriter, r *http.Request, q *request) error {
	if h.opt.Campaigns == nil {
		return h.renderCampaigns(w, r, q, http.StatusOK, newForm())
	}
	in, f := h.campaignInput(r, q)
	if len(f.Errors) > 0 {
		return h.renderCampaigns(w, r, q, http.StatusUnprocessableEntity, f)
	}
	c, err := h.opt.Campaigns.Create(r.Context(), q.WS.ID, in)
	if campaignErr(f, err) {
		return h.renderCampaigns(w, r, q, http.StatusUnprocessableEntity, f)
	}
	if err != nil {
		return err
	}
	h.record(r.Context(), q, "campaign.create", c.ID, c.Name)
	http.Redirect(w, r, "/admin/w/"+q.WS.ID+"/campaigns/"+c.ID, http.StatusSeeOther)
	return nil
}

func (h *Handler) campaign(w http.ResponseWriter, r *http.Request, q *request) error {
	if h.opt.Campaigns == nil {
		return h.renderCampaigns(w, r, q, http.StatusOK, newForm())
	}
	c, err := h.opt.Campaigns.Get(r.Context(), q.WS.ID, r.PathValue("id"))
	if err != nil {
		return err
	}
	return h.renderCampaign(w, r, q, http.StatusOK, c, campaignForm(c))
}

func (h *Handler) renderCampaign(w http.ResponseWriter, r *http.Request, q *request, status int, c campaigns.Campaign, f *form) error {
	ctx := r.Context()
	p, err := h.opt.Campaigns.Progress(ctx, q.WS.ID, c.ID)
	if err != nil {
		return err
	}
	rep, err := h.opt.Campaigns.Report(ctx, q.WS.ID, c.ID)
	if err != nil {
		return err
	}
	st := c.Status
	h.render(w, r, q, status, "campaign.html", map[string]any{"Title": "campaigns.title", "C": c, "Form": f, "P": p, "R": rep,
		"Draft":     st == store.CampaignDraft,
		"CanPause":  st == store.CampaignScheduled || st == store.CampaignSending || st == store.CampaignTesting,
		"CanResume": st == store.CampaignPaused,
		"CanCancel": st != store.CampaignDone && st != store.CampaignCancelled})
	return nil
}

func (h *Handler) saveCampaign(w http.ResponseWriter, r *http.Request, q *request) error {
	c, err := h.opt.Campaigns.Get(r.Context(), q.WS.ID, r.PathValue("id"))
	if err != nil {
		return err
	}
	in, f := h.campaignInput(r, q)
	if len(f.Errors) > 0 {
		return h.renderCampaign(w, r, q, http.StatusUnprocessableEntity, c, f)
	}
	saved, err := h.opt.Campaigns.Update(r.Context(), q.WS.ID, c.ID, in)
	var ne *campaigns.ErrNotEditable
	switch {
	case campaignErr(f, err):
		return h.renderCampaign(w, r, q, http.StatusUnprocessableEntity, c, f)
	case errors.As(err, &ne):
		f.Error = h.texts.text(q.Locale, "campaigns.not_now")
		return h.renderCampaign(w, r, q, http.StatusConflict, c, f)
	case err != nil:
		return err
	}
	h.record(r.Context(), q, "campaign.update", saved.ID, saved.Name)
	http.Redirect(w, r, "/admin/w/"+q.WS.ID+"/campaigns/"+c.ID, http.StatusSeeOther)
	return nil
}

func (h *Handler) campaignAction(w http.ResponseWriter, r *http.Request, q *request) error {
	if h.opt.Campaigns == nil {
		return h.renderCampaigns(w, r, q, http.StatusOK, newForm())
	}
	actions := map[string]func(*campaigns.Service, context.Context, string, string) (campaigns.Campaign, error){
		"schedule": (*campaigns.Service).Schedule, "pause": (*campaigns.Service).Pause,
		"resume": (*campaigns.Service).Resume, "cancel": (*campaigns.Service).Cancel,
	}
	action := r.PathValue("action")
	do, ok := actions[action]
	if !ok {
		h.render(w, r, q, http.StatusNotFound, "message.html", messagePage("err.notfound"))
		return nil
	}
	c, err := do(h.opt.Campaigns, r.Context(), q.WS.ID, r.PathValue("id"))
	var ne *campaigns.ErrNotEditable
	if errors.As(err, &ne) {
		f := campaignForm(c)
		f.Error = h.texts.text(q.Locale, "campaigns.not_now")
		return h.renderCampaign(w, r, q, http.StatusConflict, c, f)
	}
	if err != nil {
		return err
	}
	h.record(r.Context(), q, "campaign."+action, c.ID, c.Name)
	http.Redirect(w, r, "/admin/w/"+q.WS.ID+"/campaigns/"+c.ID, http.StatusSeeOther)
	return nil
}
