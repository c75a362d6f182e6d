package workspace

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/cartwheelhq/cartwheel/ids"
	"github.com/cartwheelhq/cartwheel/secrets"
	"github.com/cartwheelhq/cartwheel/store"
)

// ErrUnauthenticated means no valid, unrevoked token was presented.
var ErrUnauthenticated = errors.New("missing, unknown or revoked token")

// Principal is who a request acts as.
type Principal struct {
	KeyID string
	Scope string
	// WorkspaceID is the key's workspace; empty for admin tokens.
	WorkspaceID string
}

// IsAdmin reports an instance-wide admin token.
func (p Principal) IsAdmin() bool { return p.Scope == store.ScopeAdmin }

// CanAccess reports whether p may read or change workspace id. This one
// function is the tenant boundary of the API.
func (p Principal) CanAccess(id string) bool {
	return p.IsAdmin() || (p.Scope == store.ScopeWorkspace && p.WorkspaceID != "" && p.WorkspaceID == id)
}

// Token prefixes tell a leaked token's kind at a glance (and let secret
// scanners match them).
const (
	adminPrefix     = "cw_admin"
	workspacePrefix = "cw_key"
)

// touchEvery bounds the writes that recording "last used" costs.
const touchEvery = time.Minute

// Authenticate resolves a bearer token.
func (s *Service) Authenticate(ctx context.Context, token string) (Principal, error) {
	if len(token) < 16 || len(token) > 256 {
		return Principal{}, ErrUnauthenticated
	}
	k, err := s.st.APIKeyByHash(ctx, secrets.HashToken(token))
	if errors.Is(err, store.ErrNotFound) {
		return Principal{}, ErrUnauthenticated
	}
	if err != nil {
		return Principal{}, err
	}
	if !k.RevokedAt.IsZero() {
		return Principal{}, ErrUnauthenticated
	}
	if now := s.now(); now.Sub(k.LastUsedAt) > touchEvery {
		if err := s.st.TouchAPIKey(ctx, k.ID, now); err != nil {
			s.log.Warn("record api key use", "key", k.ID, "err", err)
		}
	}
	return Principal{KeyID: k.ID, Scope: k.Scope, WorkspaceID: k.WorkspaceID}, nil
}

// IssueKey creates a workspace API key and returns it with its token, which
// is shown this once and never stored.
func (s *Service) IssueKey(ctx context.Context, workspaceID, name string) (store.APIKey, string, error) {
	name = strings.TrimSpace(name)
	if name == "" || len(name) > 100 {
		return store.APIKey{}, "", invalid("name", "must be 1 to 100 characters")
	}
	if _, err := s.st.Workspace(ctx, workspaceID); err != nil {
		return store.APIKey{}, "", err
	}
	token := ids.Token(workspacePrefix)
	k := store.APIKey{ID: ids.New("key"), WorkspaceID: workspaceID, Scope: store.ScopeWorkspace, Name: name,
		Prefix: token[:len(workspacePrefix)+5], CreatedAt: s.now().UTC()}
	if err := s.st.CreateAPIKey(ctx, k, secrets.HashToken(token)); err != nil {
		return k, "", err
	}
	s.log.Info("api key issued", "workspace", workspaceID, "key", k.ID)
	return k, token, nil
}

// Keys lists a workspace's API keys.
func (s *Service) Keys(ctx context.Context, workspaceID string) ([]store.APIKey, error) {
	return s.st.APIKeys(ctx, workspaceID, store.ScopeWorkspace)
}

// RevokeKey revokes one of the workspace's keys.
func (s *Service) RevokeKey(ctx context.Context, workspaceID, keyID string) error {
	if err := s.st.RevokeAPIKey(ctx, workspaceID, keyID, s.now()); err != nil {
		return err
	}
	s.log.Info("api key revoked", "workspace", workspaceID, "key", keyID)
	return nil
}

// bootstrapName names the admin token that CARTWHEEL_ADMIN_TOKEN controls.
const bootstrapName = "bootstrap"

// BootstrapAdmin makes sure an admin can get in. With configured set, that
// token becomes the bootstrap admin token (replacing an earlier one). Without
// it, on the first start only, a token is generated and returned so the
// caller can print it once; later starts return "".
func (s *Service) BootstrapAdmin(ctx context.Context, configured string) (generated string, err error) {
	k := store.APIKey{ID: ids.New("key"), Scope: store.ScopeAdmin, Name: bootstrapName, CreatedAt: s.now().UTC()}
	if configured != "" {
		if len(configured) < 16 {
			return "", errors.New("CARTWHEEL_ADMIN_TOKEN must be at least 16 characters")
		}
		k.Prefix = configured[:4]
		return "", s.st.SetNamedAdminKey(ctx, k, secrets.HashToken(configured))
	}
	n, err := s.st.AdminKeyCount(ctx)
	if err != nil {
		return "", err
	}
	if n > 0 {
		return "", nil
	}
	token := ids.Token(adminPrefix)
	k.Prefix = token[:len(adminPrefix)+5]
	if err := s.st.SetNamedAdminKey(ctx, k, secrets.HashToken(token)); err != nil {
		return "", fmt.Errorf("bootstrap admin token: %w", err)
	}
	return token, nil
}
