package reco

import (
	"bytes"
	"strings"
	"testing"
	"time"
)

func count(ins []Interaction) map[string]int {
	c := map[string]int{}
	for _, in := range ins {
		c[in.Kind]++
	}
	return c
}

func productByID(ps []Product, id string) Product {
	for _, p := range ps {
		if p.ID == id {
			return p
		}
	}
	return Product{}
}

func TestLoadRetailRocket(t *testing.T) {
	var log bytes.Buffer
	ins, ps, err := Load("testdata/retailrocket", LoadOptions{Log: &log})
	if err != nil {
		t.Fatal(err)
	}
	c := count(ins)
	if len(ins) != 80 || c[KindView] != 48 || c[KindCart] != 16 || c[KindPurchase] != 16 {
		t.Fatalf("%d interactions %v", len(ins), c)
	}
	for _, want := range []string{"README | # RetailRocket-format sample", "RetailRocket format, 80 rows", "item properties", "category_tree.csv: skipped"} {
		if !strings.Contains(log.String(), want) {
			t.Errorf("log lacks %q:\n%s", want, log.String())
		}
	}
	if ins[0].At.Year() != 2015 {
		t.Fatalf("milliseconds misread: %v", ins[0].At)
	}
	// Properties: the latest value wins; 105 went out of stock.
	if p := productByID(ps, "105"); p.InStock || p.Category != "10" {
		t.Fatalf("105: %+v", p)
	}
	if p := productByID(ps, "100"); p.Category != "99" || !p.InStock {
		t.Fatalf("100: %+v", p)
	}
	// Purchases are grouped by transaction; views by visitor and 30-minute gaps.
	sessions := map[string]map[string]bool{} // visitor → view sessions
	for _, in := range ins {
		if in.Kind == KindPurchase && !strings.HasPrefix(in.Session, "order:") {
			t.Fatalf("purchase session %q", in.Session)
		}
		if in.Kind == KindView {
			if sessions[in.Person] == nil {
				sessions[in.Person] = map[string]bool{}
			}
			sessions[in.Person][in.Session] = true
		}
	}
	if len(sessions) != 12 || len(sessions["1"]) != 2 {
		t.Fatalf("sessions of visitor 1: %v (%d visitors)", sessions["1"], len(sessions))
	}
}

func TestLoadREES46Gzip(t *testing.T) {
	ins, ps, err := LoadDir("testdata/rees46")
	if err != nil {
		t.Fatal(err)
	}
	c := count(ins)
	// remove_from_cart rows are skipped.
	if c[KindView] != 30 || c[KindCart] != 5 || c[KindPurchase] != 5 || len(ins) != 40 {
		t.Fatalf("%v", c)
	}
	if ins[0].Session != "a0037-1" || !ins[0].At.Equal(time.Date(2019, 10, 2, 10, 0, 0, 0, time.UTC)) {
		t.Fatalf("first %+v", ins[0])
	}
	// category_code wins over category_id, and falls back to it when empty.
	if p := productByID(ps, "1000"); p.Category != "computers.notebook" || p.PriceMinor != 17500 {
		t.Fatalf("1000: %+v", p)
	}
	if p := productByID(ps, "1001"); p.Category != "2232732093077520756" {
		t.Fatalf("1001: %+v", p)
	}
}

func TestLoadGenericAndMaxEvents(t *testing.T) {
	ins, ps, err := LoadDir("testdata/generic/interactions.csv")
	if err != nil {
		t.Fatal(err)
	}
	c := count(ins)
	if c[KindView] != 16 || c[KindPurchase] != 16 || len(ps) != 6 { // "rating" rows skipped
		t.Fatalf("%v, %d products", c, len(ps))
	}
	if productByID(ps, "shoe-1").PriceMinor != 1990 {
		t.Fatalf("price %+v", productByID(ps, "shoe-1"))
	}
	// One inactivity session per user: the two purchases were bought together.
	if ins[2].Session != ins[3].Session || ins[2].Session == "" {
		t.Fatalf("sessions %q %q", ins[2].Session, ins[3].Session)
	}
	ins, _, err = Load("testdata/generic", LoadOptions{MaxEvents: 5})
	if err != nil || len(ins) != 5 {
		t.Fatalf("max events: %d %v", len(ins), err)
	}
}

func TestLoadErrors(t *testing.T) {
	_, _, err := LoadDir("testdata/nope")
	if err == nil || !strings.Contains(err.Error(), "RetailRocket") || !strings.Contains(err.Error(), "REES46") {
		t.Fatalf("missing dir: %v", err)
	}
	if _, _, err := LoadDir(t.TempDir()); err == nil {
		t.Fatal("empty dir loaded")
	}
}

func TestReadCSVFormats(t *testing.T) {
	csv := "visitor_id,sku,timestamp\nv1,x,1700000000\nv1,y,1700000000123\nv2,,1\n"
	ins, ps, err := ReadCSV(strings.NewReader(csv), LoadOptions{})
	if err != nil || len(ins) != 2 || len(ps) != 2 {
		t.Fatalf("%v %v %v", ins, ps, err)
	}
	if ins[0].Kind != KindView || ins[1].At.UnixMilli() != 1700000000123 {
		t.Fatalf("%+v", ins)
	}
}

func FuzzLoadCSV(f *testing.F) {
	f.Add([]byte("user,item,event,timestamp\nu,i,view,1700000000\nu,j,purchase,2024-01-01T00:00:00Z\n"))
	f.Add([]byte("timestamp,visitorid,event,itemid,transactionid\n1433221332117,1,transaction,5,7\n"))
	f.Add([]byte("event_time,event_type,product_id,category_id,category_code,brand,price,user_id,user_session\n2019-10-01 00:00:00 UTC,view,1,2,a.b,,1.5,3,s\n"))
	f.Add([]byte("\x1f\x8b"))
	f.Add([]byte("a,\"b\nc"))
	f.Fuzz(func(t *testing.T, data []byte) {
		ins, ps, err := ReadCSV(bytes.NewReader(data), LoadOptions{})
		if err != nil {
			return
		}
		known := map[string]bool{}
		for _, p := range ps {
			known[p.ID] = true
		}
		for _, in := range ins {
			if in.Person == "" || in.ProductID == "" || kindBit(in.Kind) == 0 || !known[in.ProductID] {
				t.Fatalf("bad interaction %+v", in)
			}
		}
		// Whatever loads must be safe to learn from.
		e := New(Options{})
		for _, in := range ins {
			e.Observe(in)
		}
		for _, s := range Strategies {
			e.Recommend(Request{Strategy: s, Person: "u"})
		}
	})
}
