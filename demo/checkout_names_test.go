package demo

import (
	"context"
	"net/http"
	"net/url"
	"testing"

	"github.com/cartwheelhq/cartwheel/cdp"
)

// The name typed at the demo checkout reaches the contact (first word the
// first name, the rest the last), and a ticked box is a consent given now.
func TestCheckoutNameReachesTheContact(t *testing.T) {
	shop := newTestShop(t)
	b := shop.shopper("")
	b.add(shop.product("demo-p-001").ID, "1")
	r := b.post("/demo/checkout", url.Values{"email": {"lucja@example.pl"}, "name": {"  Łucja   Maria Żmigrodzka "},
		"marketing": {"yes"}})
	wantStatus(t, "contact step", r, http.StatusSeeOther)
	ctx := context.Background()
	if err := cdp.NewProcessor(shop.st, testLogger(t), nil).CatchUp(ctx); err != nil {
		t.Fatal(err)
	}
	c, err := shop.st.ContactByEmail(ctx, shop.site.Workspace.ID, "lucja@example.pl")
	if err != nil {
		t.Fatal(err)
	}
	if c.FirstName != "Łucja" || c.LastName != "Maria Żmigrodzka" {
		t.Fatalf("contact names %q %q", c.FirstName, c.LastName)
	}
	cs, _ := shop.st.Consents(ctx, shop.site.Workspace.ID, c.ID)
	if len(cs) != 1 || cs[0].Channel != "email" || !cs[0].Granted {
		t.Fatalf("consents %+v, want email granted", cs)
	}
}
