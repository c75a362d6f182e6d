package server

import (
	"strconv"
	"strings"
	"time"

	"github.com/gofiber/fiber/v2"

	"github.com/cartwheelhq/cartwheel/commerce"
	"github.com/cartwheelhq/cartwheel/store"
)

func queryInt(c *fiber.Ctx, name string, def, min, max int) (int, error) {
	v := c.Query(name)
	if v == "" {
		return def, nil
	}
	n, err := strconv.Atoi(v)
	if err != nil || n < min || n > max {
		return 0, errBadRequest(name + " must be a whole number from " + strconv.Itoa(min) + " to " + strconv.Itoa(max))
	}
	return n, nil
}

// A cursor is "<unix ms>.<id>" of the last row of a page: keyset paging stays
// fast and stable however deep the client pages, unlike offsets.
func parseCursor(c *fiber.Ctx) (time.Time, string, error) {
	v := c.Query("cursor")
	if v == "" {
		return time.Time{}, "", nil
	}
	msPart, id, ok := strings.Cut(v, ".")
	n, err := strconv.ParseInt(msPart, 10, 64)
	if !ok || err != nil || n <= 0 || id == "" {
		return time.Time{}, "", errBadRequest("cursor is malformed: pass back next_cursor unchanged")
	}
	return time.UnixMilli(n), id, nil
}

// keysetPage reads the limit and cursor of a newest-first listing.
func keysetPage(c *fiber.Ctx) (limit int, before time.Time, beforeID string, err error) {
	if limit, err = queryInt(c, "limit", 50, 1, 500); err != nil {
		return 0, time.Time{}, "", err
	}
	before, beforeID, err = parseCursor(c)
	return limit, before, beforeID, err
}

func makeCursor(t time.Time, id string) string {
	return strconv.FormatInt(t.UnixMilli(), 10) + "." + id
}

func (s *Server) listProducts(c *fiber.Ctx) error {
	limit, err := queryInt(c, "limit", 50, 1, 500)
	if err != nil {
		return err
	}
	offset, err := queryInt(c, "offset", 0, 0, 1_000_000)
	if err != nil {
		return err
	}
	sort := c.Query("sort")
	switch sort {
	case "", "newest", "price_asc", "price_desc":
	default:
		return errBadRequest("sort must be newest, price_asc or price_desc")
	}
	ps, total, err := s.opt.Store.Products(c.UserContext(), currentWorkspace(c).ID, store.ProductFilter{
		ShopID: c.Query("shop_id"), Category: c.Query("category"), Query: c.Query("q"), Sort: sort, Limit: limit, Offset: offset,
	})
	if err != nil {
		return err
	}
	for i := range ps {
		if err := s.withVariants(c, &ps[i]); err != nil {
			return err
		}
	}
	return c.JSON(fiber.Map{"products": ps, "total": total})
}

func (s *Server) getProduct(c *fiber.Ctx) error {
	p, err := s.opt.Store.Product(c.UserContext(), currentWorkspace(c).ID, c.Params("id"))
	if err != nil {
		return err
	}
	if err := s.withVariants(c, &p); err != nil {
		return err
	}
	return c.JSON(p)
}

// withVariants fills in a product's variants (sizes, colours) with their
// own prices and stock; a product without variants lists none.
func (s *Server) withVariants(c *fiber.Ctx, p *commerce.Product) error {
	vs, err := s.opt.Store.ProductVariants(c.UserContext(), p.WorkspaceID, p.ShopID, p.ID)
	if err != nil {
		return err
	}
	p.Variants = vs
	return nil
}

func (s *Server) listOrders(c *fiber.Ctx) error {
	limit, before, beforeID, err := keysetPage(c)
	if err != nil {
		return err
	}
	os, err := s.opt.Store.Orders(c.UserContext(), currentWorkspace(c).ID, store.OrderFilter{
		ShopID: c.Query("shop_id"), Email: strings.ToLower(c.Query("email")), Before: before, BeforeID: beforeID, Limit: limit,
	})
	if err != nil {
		return err
	}
	next := ""
	if len(os) == limit {
		next = makeCursor(os[len(os)-1].PlacedAt, os[len(os)-1].ID)
	}
	return c.JSON(fiber.Map{"orders": os, "next_cursor": next})
}

func (s *Server) getOrder(c *fiber.Ctx) error {
	o, err := s.opt.Store.Order(c.UserContext(), currentWorkspace(c).ID, c.Params("id"))
	if err != nil {
		return err
	}
	return c.JSON(o)
}

func (s *Server) listCheckouts(c *fiber.Ctx) error {
	limit, before, beforeID, err := keysetPage(c)
	if err != nil {
		return err
	}
	state := c.Query("state")
	switch state {
	case "", "open", "completed":
	default:
		return errBadRequest("state must be open or completed")
	}
	cs, err := s.opt.Store.Checkouts(c.UserContext(), currentWorkspace(c).ID, store.CheckoutFilter{
		ShopID: c.Query("shop_id"), State: state, Before: before, BeforeID: beforeID, Limit: limit,
	})
	if err != nil {
		return err
	}
	next := ""
	if len(cs) == limit {
		next = makeCursor(cs[len(cs)-1].UpdatedAt, cs[len(cs)-1].Token)
	}
	return c.JSON(fiber.Map{"checkouts": cs, "next_cursor": next})
}

func (s *Server) getCheckout(c *fiber.Ctx) error {
	ch, err := s.opt.Store.Checkout(c.UserContext(), currentWorkspace(c).ID, c.Params("token"))
	if err != nil {
		return err
	}
	return c.JSON(ch)
}
