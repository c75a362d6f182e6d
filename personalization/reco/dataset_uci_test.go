package reco

import (
	"bytes"
	"strings"
	"testing"
	"time"
)

// The UCI Online Retail log: purchases grouped by invoice, times with
// their UK offset, a line repeated within an invoice counted as one order
// of the product.
func TestLoadUCIOnlineRetail(t *testing.T) {
	var log bytes.Buffer
	ins, ps, err := Load("testdata/uci", LoadOptions{Log: &log})
	if err != nil {
		t.Fatal(err)
	}
	if c := count(ins); len(ins) != 14 || c[KindPurchase] != 14 || len(ps) != 7 {
		t.Fatalf("%d interactions %v, %d products", len(ins), c, len(ps))
	}
	if !strings.Contains(log.String(), "events.csv: generic format, 14 rows, 0 skipped") {
		t.Errorf("log:\n%s", log.String())
	}
	if ins[0].Session != "order:536365" || ins[3].Session != "order:536367" || ins[0].Person != "17850" {
		t.Fatalf("sessions %q %q", ins[0].Session, ins[3].Session)
	}
	// 10:15 British Summer Time is 09:15 UTC.
	if want := time.Date(2011, 6, 2, 9, 15, 0, 0, time.UTC); !ins[11].At.Equal(want) {
		t.Fatalf("BST time read as %v", ins[11].At)
	}
	if p := productByID(ps, "71053"); p.PriceMinor != 339 || !p.CreatedAt.Equal(time.Date(2010, 12, 1, 8, 26, 0, 0, time.UTC)) {
		t.Fatalf("71053: %+v", p)
	}

	e := New(Options{})
	for _, in := range ins {
		e.Observe(in)
	}
	orders := func(person, product string) uint16 {
		for _, ev := range e.persons[person].hist {
			if e.items[ev.item].id == product {
				return ev.n
			}
		}
		return 0
	}
	// 85123A in three invoices; 22745 twice in 536367 and once in 555210.
	if n, m := orders("17850", "85123A"), orders("13047", "22745"); n != 3 || m != 2 {
		t.Fatalf("orders of 85123A %d (want 3), of 22745 %d (want 2)", n, m)
	}
	// Bought together means the same invoice: 22745 and 22748 shared two.
	i, j := e.ids["22745"], e.ids["22748"]
	var co float32
	for _, nb := range e.items[i].bought {
		if nb.id == j {
			co = nb.n
		}
	}
	if co != 2 || e.items[i].nBought != 3 {
		t.Fatalf("22745–22748 bought together %v times, 22745 in %v orders", co, e.items[i].nBought)
	}
	// The blend, no product on screen, puts 17850's reorder first.
	if r := e.Recommend(Request{Person: "17850", N: 3, NoFallback: true}); len(r) == 0 || r[0].ProductID != "85123A" {
		t.Fatalf("blend for 17850: %v", r)
	}
}
