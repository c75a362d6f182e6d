// Package workspace owns tenancy and access: workspaces, their public site
// keys, API keys and admin tokens, and connected shops with their secrets
// sealed at rest.
package workspace

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"regexp"
	"strings"
	"time"

	"github.com/cartwheelhq/cartwheel/ids"
	"github.com/cartwheelhq/cartwheel/secrets"
	"github.com/cartwheelhq/cartwheel/store"
)

// InvalidError is returned for input that can never succeed as given.
type InvalidError struct {
	Field, Reason string
}

func (e *InvalidError) Error() string { return e.Field + ": " + e.Reason }

// InvalidInput marks the error as the caller's fault (HTTP 400), without the
// server having to import every domain package's error type.
func (e *InvalidError) InvalidInput() {}

func invalid(field, format string, args ...any) error {
	return &InvalidError{Field: field, Reason: fmt.Sprintf(format, args...)}
}

// Service is the tenancy API the server and the CLI call.
type Service struct {
	st  *store.Store
	box *secrets.Box
	log *slog.Logger
	now func() time.Time
}

// New returns a Service. now may be nil (time.Now).
func New(st *store.Store, box *secrets.Box, log *slog.Logger, now func() time.Time) *Service {
	if now == nil {
		now = time.Now
	}
	return &Service{st: st, box: box, log: log, now: now}
}

// Settings are a workspace's editable settings. A nil field is left as is.
type Settings struct {
	Name           *string   `json:"name"`
	Timezone       *string   `json:"timezone"`
	Currency       *string   `json:"currency"`
	Locale         *string   `json:"locale"`
	RequireConsent *bool     `json:"require_consent"`
	AllowedOrigins *[]string `json:"allowed_origins"`
}

var (
	currencyRe = regexp.MustCompile(`^[A-Z]{3}$`)
	localeRe   = regexp.MustCompile(`^[a-z]{2,3}(-[A-Z]{2})?$`)
)

func (in Settings) apply(w *store.Workspace) error {
	if in.Name != nil {
		n := strings.TrimSpace(*in.Name)
		if n == "" || len(n) > 200 {
			return invalid("name", "must be 1 to 200 characters")
		}
		w.Name = n
	}
	if in.Timezone != nil {
		if _, err := time.LoadLocation(*in.Timezone); err != nil || *in.Timezone == "" || *in.Timezone == "Local" {
			return invalid("timezone", "%q is not an IANA time zone name", *in.Timezone)
		}
		w.Timezone = *in.Timezone
	}
	if in.Currency != nil {
		if !currencyRe.MatchString(*in.Currency) {
			return invalid("currency", "%q is not an ISO 4217 code", *in.Currency)
		}
		w.Currency = *in.Currency
	}
	if in.Locale != nil {
		if !localeRe.MatchString(*in.Locale) {
			return invalid("locale", "%q is not a locale such as en or pl-PL", *in.Locale)
		}
		w.Locale = *in.Locale
	}
	if in.RequireConsent != nil {
		w.RequireConsent = *in.RequireConsent
	}
	if in.AllowedOrigins != nil {
		origins := []string{}
		for _, o := range *in.AllowedOrigins {
			o = strings.TrimRight(strings.TrimSpace(o), "/")
			if !strings.HasPrefix(o, "https://") && !strings.HasPrefix(o, "http://") || strings.Count(o, "/") != 2 {
				return invalid("allowed_origins", "%q is not an origin such as https://shop.example", o)
			}
			origins = append(origins, o)
		}
		w.AllowedOrigins = origins
	}
	return nil
}

// Create makes a workspace with a fresh id and site key. Name is required;
// the rest default to UTC, USD and en.
func (s *Service) Create(ctx context.Context, in Settings) (store.Workspace, error) {
	now := s.now().UTC()
	w := store.Workspace{
		ID: ids.New("ws"), SiteKey: ids.New("pk"), Timezone: "UTC", Currency: "USD", Locale: "en",
		AllowedOrigins: []string{}, CreatedAt: now, UpdatedAt: now,
	}
	if in.Name == nil {
		return w, invalid("name", "is required")
	}
	if err := in.apply(&w); err != nil {
		return w, err
	}
	if err := s.st.CreateWorkspace(ctx, w); err != nil {
		return w, err
	}
	s.log.Info("workspace created", "workspace", w.ID, "name", w.Name)
	return w, nil
}

// Update changes a workspace's settings.
func (s *Service) Update(ctx context.Context, id string, in Settings) (store.Workspace, error) {
	w, err := s.st.Workspace(ctx, id)
	if err != nil {
		return w, err
	}
	if err := in.apply(&w); err != nil {
		return w, err
	}
	w.UpdatedAt = s.now().UTC()
	return w, s.st.UpdateWorkspace(ctx, w)
}

// Get returns a workspace.
func (s *Service) Get(ctx context.Context, id string) (store.Workspace, error) {
	return s.st.Workspace(ctx, id)
}

// List returns every workspace.
func (s *Service) List(ctx context.Context) ([]store.Workspace, error) { return s.st.Workspaces(ctx) }

// BySiteKey resolves the public key the tracker sends.
func (s *Service) BySiteKey(ctx context.Context, key string) (store.Workspace, error) {
	if !ids.Valid("pk", key) {
		return store.Workspace{}, fmt.Errorf("site key: %w", store.ErrNotFound)
	}
	return s.st.WorkspaceBySiteKey(ctx, key)
}

// secretCheckKey stores a value sealed with the master key, so that a start
// with a different CARTWHEEL_SECRET_KEY fails at once instead of failing on
// the first webhook hours later.
const secretCheckKey = "secret_key_check"

// CheckSecretKey verifies that the master key is the one the data was sealed
// with, recording it on first start.
func (s *Service) CheckSecretKey(ctx context.Context) error {
	v, err := s.st.Setting(ctx, secretCheckKey)
	if errors.Is(err, store.ErrNotFound) {
		return s.st.SetSetting(ctx, secretCheckKey, s.box.Seal("cartwheel", secretCheckKey))
	}
	if err != nil {
		return err
	}
	if _, err := s.box.Open(v, secretCheckKey); err != nil {
		return fmt.Errorf("CARTWHEEL_SECRET_KEY does not match the key this database was created with: %w", err)
	}
	return nil
}
