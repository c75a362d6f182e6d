package server

import (
	"context"
	"encoding/json"
	"errors"
	"strconv"
	"strings"
	"time"

	"github.com/gofiber/fiber/v2"

	"github.com/cartwheelhq/cartwheel/cdp"
	"github.com/cartwheelhq/cartwheel/connectors"
	"github.com/cartwheelhq/cartwheel/personalization"
	"github.com/cartwheelhq/cartwheel/store"
	"github.com/cartwheelhq/cartwheel/tracker"
)

// How long a verification holds: a browser that followed a link from the
// contact's own mailbox stays verified for a month; one the shop vouches
// for as logged in only for an hour, renewed by every page it shows while
// the customer is logged in, so a logout ends it soon after.
const (
	linkVerificationTTL  = 30 * 24 * time.Hour
	loginVerificationTTL = time.Hour
	// proxyMaxAge bounds the age of a signed App Proxy request: Shopify
	// forwards it at once, so anything older is a replay.
	proxyMaxAge = 5 * time.Minute
)

// identifyRoutes registers the endpoints where a browser proves who it is
// (docs/tracker.md, "What identification reveals").
func (s *Server) identifyRoutes() {
	if s.opt.Personalization == nil {
		return
	}
	s.app.Post("/identify/verify", publicCORS, s.limitIP, s.identifyVerify)
	s.app.Options("/identify/verify", publicCORS)
	if s.opt.Connectors != nil {
		s.app.Get("/shopify/proxy/identity", s.shopifyProxyIdentity)
	}
}

// verifyBody is what t.js posts: the site key, the visitor id and one
// proof, either a click's token (cw_proof) or the WordPress plugin's
// signed statement of the logged-in customer.
type verifyBody struct {
	SiteKey   string `json:"k"`
	VisitorID string `json:"v"`
	Proof     string `json:"proof"`
}

// identifyVerify exchanges a proof for a verification of the browser.
func (s *Server) identifyVerify(c *fiber.Ctx) error {
	var b verifyBody
	if len(c.Body()) > 4<<10 {
		return &apiError{fiber.StatusRequestEntityTooLarge, "too_large", "body too large", nil}
	}
	if err := json.Unmarshal(c.Body(), &b); err != nil || b.Proof == "" {
		return errBadRequest(`body must be JSON with "k" (site key), "v" (visitor id) and "proof"`)
	}
	si, err := s.publicSite(c, b.SiteKey, b.VisitorID)
	if err != nil {
		return err
	}
	ctx := c.UserContext()
	var vr personalization.Verification
	if strings.HasPrefix(b.Proof, "wc1.") {
		vr, err = s.wooLogin(ctx, si.ws.ID, b.VisitorID, b.Proof)
	} else {
		vr, err = s.linkProof(ctx, si.ws.ID, b.VisitorID, b.Proof)
	}
	if err != nil {
		return err
	}
	ok, err := s.opt.Personalization.Verify(ctx, vr)
	if err != nil {
		if errors.Is(err, store.ErrProofUsed) {
			return errForbidden("this proof was already used by another browser")
		}
		return busy(c, err)
	}
	c.Set(fiber.HeaderCacheControl, "no-store")
	return c.JSON(fiber.Map{"verified": ok, "source": vr.Source})
}

// linkProof checks a token from a click's redirect (messaging.ProofParam).
func (s *Server) linkProof(ctx context.Context, ws, visitor, tok string) (personalization.Verification, error) {
	if s.opt.Engagement == nil {
		return personalization.Verification{}, errForbidden("proof refused")
	}
	p, err := s.opt.Engagement.ParseProof(tok)
	if err != nil || p.WorkspaceID != ws {
		return personalization.Verification{}, errForbidden("proof refused: invalid, altered or expired")
	}
	ct, err := s.opt.Store.Contact(ctx, ws, p.ContactID)
	if errors.Is(err, store.ErrNotFound) {
		return personalization.Verification{}, errForbidden("proof refused: the contact no longer exists")
	}
	if err != nil {
		return personalization.Verification{}, err
	}
	vr := personalization.Verification{WorkspaceID: ws, VisitorID: visitor, ContactID: ct.ID, Source: p.Source,
		TTL: linkVerificationTTL, ProofID: p.ID, ProofExpiry: p.ExpiresAt, IdentifySource: p.Source}
	if ct.Email != "" {
		vr.Identify = map[string]any{"email": ct.Email}
	}
	return vr, nil
}

// wooLogin checks the WordPress plugin's signed statement of the
// logged-in customer (connectors.Hub.VerifyWooLogin).
func (s *Server) wooLogin(ctx context.Context, ws, visitor, ref string) (personalization.Verification, error) {
	if s.opt.Connectors == nil {
		return personalization.Verification{}, errForbidden("login statement refused: no shop connections")
	}
	customer, err := s.opt.Connectors.VerifyWooLogin(ctx, ws, visitor, ref)
	if errors.Is(err, connectors.ErrLoginRefused) {
		return personalization.Verification{}, errForbidden("login statement refused: not signed by this shop, for another browser, or stale")
	}
	if err != nil {
		return personalization.Verification{}, err
	}
	return s.customerVerification(ctx, ws, visitor, "woocommerce", customer, personalization.VerifiedWooCommerce)
}

// customerVerification binds the browser to the contact of a platform's
// customer id, or — for a customer Cartwheel has not seen yet — to the
// browser's own contact, which the identify gives that customer id.
func (s *Server) customerVerification(ctx context.Context, ws, visitor, platform, customer, source string) (personalization.Verification, error) {
	vr := personalization.Verification{WorkspaceID: ws, VisitorID: visitor, Source: source, TTL: loginVerificationTTL,
		IdentifySource: platform, Identify: map[string]any{"customer_id": customer}}
	ct, err := s.opt.Store.ContactByIdentity(ctx, ws, cdp.CustomerKind(platform), customer)
	switch {
	case errors.Is(err, store.ErrNotFound):
	case err != nil:
		return vr, err
	default:
		vr.ContactID = ct.ID
		if ct.Email != "" {
			// The customer's email moves a browser that some page claim
			// linked to somebody else back to the customer (cdp's rule for
			// a known browser naming another's email).
			vr.Identify["email"] = ct.Email
		}
	}
	return vr, nil
}

// shopifyProxyIdentity answers t.js's same-origin call to
// https://{shop}/apps/cartwheel/identity?v={visitor}: Shopify forwards it
// with logged_in_customer_id under its App Proxy signature, the shop's
// own statement of who is logged in on that browser.
func (s *Server) shopifyProxyIdentity(c *fiber.Ctx) error {
	q, err := signedQuery(c)
	if err != nil {
		return err
	}
	if !s.opt.Connectors.VerifyProxy(q) || len(q["logged_in_customer_id"]) > 1 || len(q["v"]) > 1 {
		return errUnauthorized("app proxy signature does not verify")
	}
	ts, err := strconv.ParseInt(q.Get("timestamp"), 10, 64)
	if at := time.Unix(ts, 0); err != nil || time.Since(at) > proxyMaxAge || time.Until(at) > proxyMaxAge {
		return errUnauthorized("app proxy request is stale")
	}
	c.Set(fiber.HeaderCacheControl, "no-store")
	visitor, customer := q.Get("v"), q.Get("logged_in_customer_id")
	if !tracker.ValidID(visitor) {
		return errBadRequest(`"v" must be the tracker's visitor id`)
	}
	if customer == "" || len(customer) > 64 {
		return c.JSON(fiber.Map{"verified": false})
	}
	sh, err := s.opt.Workspaces.ShopByDomain(c.UserContext(), "shopify", q.Get("shop"))
	if errors.Is(err, store.ErrNotFound) {
		return errNotFound("unknown shop")
	}
	if err != nil {
		return err
	}
	vr, err := s.customerVerification(c.UserContext(), sh.WorkspaceID, strings.Clone(visitor), "shopify", strings.Clone(customer),
		personalization.VerifiedShopify)
	if err != nil {
		return err
	}
	ok, err := s.opt.Personalization.Verify(c.UserContext(), vr)
	if err != nil {
		return busy(c, err)
	}
	return c.JSON(fiber.Map{"verified": ok, "source": vr.Source})
}
