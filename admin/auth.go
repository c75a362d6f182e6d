package admin

import (
	"errors"
	"net"
	"net/http"
	"strings"
	"time"

	"github.com/cartwheelhq/cartwheel/accounts"
	"github.com/cartwheelhq/cartwheel/store"
)

// form is what a form page shows: the values typed (kept after an error)
// and an error per field, or one for the whole form.
type form struct {
	Values map[string]string
	Errors map[string]string
	Error  string
	Notice string
}

func newForm() *form { return &form{Values: map[string]string{}, Errors: map[string]string{}} }

// fieldError puts err next to its field, or on the form.
func (f *form) fieldError(h *Handler, q *request, err error) bool {
	var fe accounts.FieldError
	switch {
	case errors.As(err, &fe):
		f.Errors[fe.Field] = h.texts.text(q.Locale, fe.Code)
	case errors.Is(err, store.ErrConflict):
		f.Errors["email"] = h.texts.text(q.Locale, "taken")
	default:
		return false
	}
	return true
}

func (h *Handler) setupForm(w http.ResponseWriter, r *http.Request, q *request) error {
	return h.linkForm(w, r, q, accounts.PurposeSetup, "setup.invalid", "setup.html", "setup.title")
}

// linkForm shows the form a one-time link opens (set-up, password reset),
// or, for a link that is used or expired, the page that says so.
func (h *Handler) linkForm(w http.ResponseWriter, r *http.Request, q *request, purpose, invalidKey, page, title string) error {
	token := r.URL.Query().Get("t")
	if _, err := h.opt.Accounts.Link(r.Context(), token, purpose); err != nil {
		if errors.Is(err, accounts.ErrLinkInvalid) {
			h.render(w, r, q, http.StatusGone, "message.html", messagePage(invalidKey))
			return nil
		}
		return err
	}
	f := newForm()
	f.Values["t"] = token
	h.render(w, r, q, http.StatusOK, page, map[string]any{"Title": title, "Form": f})
	return nil
}

func (h *Handler) setupSubmit(w http.ResponseWriter, r *http.Request, q *request) error {
	f := newForm()
	for _, k := range []string{"t", "email", "name"} {
		f.Values[k] = r.PostFormValue(k)
	}
	token, _, err := h.opt.Accounts.CompleteSetup(r.Context(), f.Values["t"], f.Values["email"], f.Values["name"], r.PostFormValue("password"))
	return h.linkSubmitted(w, r, q, f, token, err, "setup.invalid", "setup.html", "setup.title")
}

// linkSubmitted answers a form a one-time link opened (set-up, password
// reset): the page saying the link is spent, the form again with its
// errors, or, signed in, the console.
func (h *Handler) linkSubmitted(w http.ResponseWriter, r *http.Request, q *request, f *form, session string, err error, invalidKey, page, title string) error {
	switch {
	case errors.Is(err, accounts.ErrLinkInvalid):
		h.render(w, r, q, http.StatusGone, "message.html", messagePage(invalidKey))
		return nil
	case f.fieldError(h, q, err):
		h.render(w, r, q, http.StatusUnprocessableEntity, page, map[string]any{"Title": title, "Form": f})
		return nil
	case err != nil:
		return err
	}
	h.setSession(w, session)
	http.Redirect(w, r, "/admin/", http.StatusSeeOther)
	return nil
}

func (h *Handler) signinForm(w http.ResponseWriter, r *http.Request, q *request) error {
	f := newForm()
	f.Values["next"] = safeNext(r.URL.Query().Get("next"))
	h.render(w, r, q, http.StatusOK, "signin.html", map[string]any{"Title": "signin.title", "Form": f})
	return nil
}

func (h *Handler) signinSubmit(w http.ResponseWriter, r *http.Request, q *request) error {
	f := newForm()
	f.Values["email"], f.Values["next"] = r.PostFormValue("email"), safeNext(r.PostFormValue("next"))
	token, _, err := h.opt.Accounts.SignIn(r.Context(), f.Values["email"], r.PostFormValue("password"), clientAddr(r))
	var locked accounts.LockedError
	switch {
	case errors.As(err, &locked):
		f.Error = h.texts.text(q.Locale, "signin.locked", locked.Until.Local().Format("15:04"))
		h.render(w, r, q, http.StatusTooManyRequests, "signin.html", map[string]any{"Title": "signin.title", "Form": f})
		return nil
	case errors.Is(err, accounts.ErrBadCredentials):
		f.Error = h.texts.text(q.Locale, "signin.bad")
		h.render(w, r, q, http.StatusUnauthorized, "signin.html", map[string]any{"Title": "signin.title", "Form": f})
		return nil
	case err != nil:
		return err
	}
	h.setSession(w, token)
	http.Redirect(w, r, f.Values["next"], http.StatusSeeOther)
	return nil
}

// clientAddr is the address sign-in failures are counted against: the
// peer, since the console is not meant to sit behind a proxy that the
// server does not already resolve.
func clientAddr(r *http.Request) string {
	host, _, err := net.SplitHostPort(r.RemoteAddr)
	if err != nil {
		return r.RemoteAddr
	}
	return host
}

func (h *Handler) signout(w http.ResponseWriter, r *http.Request, q *request) error {
	if err := h.opt.Accounts.SignOut(r.Context(), q.Token); err != nil {
		return err
	}
	http.SetCookie(w, &http.Cookie{Name: sessionCookie, Value: "", Path: "/admin/", MaxAge: -1, HttpOnly: true, Secure: h.secure})
	http.Redirect(w, r, "/admin/signin", http.StatusSeeOther)
	return nil
}

func (h *Handler) setLanguage(w http.ResponseWriter, r *http.Request, q *request) error {
	l := pickLocale(r.PostFormValue("lang"), r)
	if err := h.opt.Store.SetUserLocale(r.Context(), q.User.ID, l, time.Now()); err != nil {
		return err
	}
	http.Redirect(w, r, safeNext(r.PostFormValue("next")), http.StatusSeeOther)
	return nil
}

func (h *Handler) forgotForm(w http.ResponseWriter, r *http.Request, q *request) error {
	h.render(w, r, q, http.StatusOK, "forgot.html", map[string]any{"Title": "forgot.title", "Form": newForm()})
	return nil
}

// forgotSubmit emails a reset link; it answers the same whether or not the
// email has an account.
func (h *Handler) forgotSubmit(w http.ResponseWriter, r *http.Request, q *request) error {
	f := newForm()
	f.Values["email"] = strings.TrimSpace(r.PostFormValue("email"))
	token, u, ok, err := h.opt.Accounts.ResetLink(r.Context(), f.Values["email"])
	if f.fieldError(h, q, err) {
		h.render(w, r, q, http.StatusUnprocessableEntity, "forgot.html", map[string]any{"Title": "forgot.title", "Form": f})
		return nil
	}
	if err != nil {
		return err
	}
	if ok {
		link := h.origin + "/admin/reset?t=" + token
		if h.opt.SendMail == nil {
			h.opt.Log.Warn("console password reset asked, but no SMTP relay is set (CARTWHEEL_SMTP_URL): give the person this link yourself",
				"user", u.ID, "link", link)
		} else if err := h.opt.SendMail(r.Context(), u.Email, h.texts.text(q.Locale, "reset.title"),
			h.texts.text(q.Locale, "forgot.intro")+"\n\n"+link+"\n"); err != nil {
			h.opt.Log.Error("console password reset email", "user", u.ID, "err", err)
		}
	}
	f.Notice = h.texts.text(q.Locale, "forgot.sent", f.Values["email"])
	h.render(w, r, q, http.StatusOK, "forgot.html", map[string]any{"Title": "forgot.title", "Form": f})
	return nil
}

func (h *Handler) resetForm(w http.ResponseWriter, r *http.Request, q *request) error {
	return h.linkForm(w, r, q, accounts.PurposeReset, "reset.invalid", "reset.html", "reset.title")
}

func (h *Handler) resetSubmit(w http.ResponseWriter, r *http.Request, q *request) error {
	f := newForm()
	f.Values["t"] = r.PostFormValue("t")
	token, _, err := h.opt.Accounts.ResetPassword(r.Context(), f.Values["t"], r.PostFormValue("password"))
	return h.linkSubmitted(w, r, q, f, token, err, "reset.invalid", "reset.html", "reset.title")
}

func (h *Handler) inviteForm(w http.ResponseWriter, r *http.Request, q *request) error {
	token := r.URL.Query().Get("t")
	l, err := h.opt.Accounts.Link(r.Context(), token, accounts.PurposeInvite)
	if errors.Is(err, accounts.ErrLinkInvalid) {
		h.render(w, r, q, http.StatusGone, "message.html", messagePage("invite.invalid"))
		return nil
	}
	if err != nil {
		return err
	}
	f := newForm()
	f.Values["t"] = token
	return h.renderInvite(w, r, q, http.StatusOK, l, f)
}

func (h *Handler) renderInvite(w http.ResponseWriter, r *http.Request, q *request, status int, l store.AccountLink, f *form) error {
	ws, err := h.opt.Workspaces.Get(r.Context(), l.WorkspaceID)
	if err != nil {
		return err
	}
	_, existing := h.opt.Store.UserByEmail(r.Context(), l.Email)
	h.render(w, r, q, status, "invite.html", map[string]any{"Title": "nav.team", "Form": f, "Link": l,
		"Workspace": ws, "Existing": existing == nil})
	return nil
}

func (h *Handler) inviteSubmit(w http.ResponseWriter, r *http.Request, q *request) error {
	f := newForm()
	f.Values["t"], f.Values["name"] = r.PostFormValue("t"), r.PostFormValue("name")
	l, err := h.opt.Accounts.Link(r.Context(), f.Values["t"], accounts.PurposeInvite)
	if errors.Is(err, accounts.ErrLinkInvalid) {
		h.render(w, r, q, http.StatusGone, "message.html", messagePage("invite.invalid"))
		return nil
	}
	if err != nil {
		return err
	}
	token, _, err := h.opt.Accounts.AcceptInvite(r.Context(), f.Values["t"], f.Values["name"], r.PostFormValue("password"))
	switch {
	case errors.Is(err, accounts.ErrLinkInvalid):
		h.render(w, r, q, http.StatusGone, "message.html", messagePage("invite.invalid"))
		return nil
	case f.fieldError(h, q, err):
		return h.renderInvite(w, r, q, http.StatusUnprocessableEntity, l, f)
	case err != nil:
		return err
	}
	h.setSession(w, token)
	http.Redirect(w, r, "/admin/w/"+l.WorkspaceID+"/", http.StatusSeeOther)
	return nil
}

// home sends a signed-in person to their first workspace.
func (h *Handler) home(w http.ResponseWriter, r *http.Request, q *request) error {
	all, err := h.reachable(r.Context(), q.User)
	if err != nil {
		return err
	}
	if len(all) == 0 {
		h.render(w, r, q, http.StatusOK, "message.html", messagePage("err.noworkspace"))
		return nil
	}
	http.Redirect(w, r, "/admin/w/"+all[0].ID+"/", http.StatusSeeOther)
	return nil
}
