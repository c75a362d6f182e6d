package wootest

import (
	"bytes"
	"embed"
	"encoding/json"
	"fmt"
	"net/http"
	"sort"
	"strconv"
	"strings"
	"time"
)

// payloads are the documented REST v3 examples every record is built from,
// so that what the store serves has the real API's shape.
//
//go:embed payloads/*.json
var payloads embed.FS

// gmtLayout is how WooCommerce writes dates (the *_gmt ones in UTC).
const gmtLayout = "2006-01-02T15:04:05"

// record is one order, customer or product.
type record struct {
	id       int64
	created  time.Time
	modified time.Time
	data     map[string]any
}

// fromTemplate decodes a payload template; numbers stay json.Number so
// that "price": 3 is served back as 3, not 3.0.
func (s *Server) fromTemplate(name string) map[string]any {
	b, err := payloads.ReadFile("payloads/" + name + ".json")
	if err != nil {
		s.t.Fatalf("wootest: %v", err)
	}
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.UseNumber()
	var m map[string]any
	if err := dec.Decode(&m); err != nil {
		s.t.Fatalf("wootest: template %s: %v", name, err)
	}
	return m
}

func (r *record) setDates() {
	r.data["id"] = r.id
	r.data["date_created"] = r.created.Format(gmtLayout) // the store's timezone is UTC
	r.data["date_created_gmt"] = r.created.Format(gmtLayout)
	r.data["date_modified"] = r.modified.Format(gmtLayout)
	r.data["date_modified_gmt"] = r.modified.Format(gmtLayout)
}

// tick returns the store's clock and advances it a second, so seeded
// records have distinct, increasing times. Callers hold s.mu.
func (s *Server) tick() time.Time {
	s.clock = s.clock.Add(time.Second)
	return s.clock
}

// seed adds n records built from the named template to recs: each gets
// the next id and the time at returns, then fill sets its own fields.
func (s *Server) seed(recs *[]*record, template string, n int, at func() time.Time, fill func(r *record)) []int64 {
	tmpl := make([]map[string]any, n)
	for i := range tmpl {
		tmpl[i] = s.fromTemplate(template)
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	ids := make([]int64, 0, n)
	for _, m := range tmpl {
		s.nextID++
		t := at()
		r := &record{id: s.nextID, created: t, modified: t, data: m}
		r.setDates()
		fill(r)
		*recs = append(*recs, r)
		ids = append(ids, r.id)
	}
	return ids
}

// SeedOrders adds n guest orders (the documented example order, total
// "29.35" USD, billing email orderN@example.com) modified at modified, and
// returns their ids.
func (s *Server) SeedOrders(n int, modified time.Time) []int64 {
	at := modified.UTC().Truncate(time.Second)
	return s.seed(&s.orders, "order", n, func() time.Time { return at }, func(r *record) {
		m := r.data
		m["number"] = strconv.FormatInt(r.id, 10)
		m["order_key"] = fmt.Sprintf("wc_order_%013d", r.id)
		m["billing"].(map[string]any)["email"] = fmt.Sprintf("order%d@example.com", r.id)
	})
}

// SeedCustomers adds n customers (customerN@example.com) modified at
// modified and returns their ids.
func (s *Server) SeedCustomers(n int, modified time.Time) []int64 {
	at := modified.UTC().Truncate(time.Second)
	return s.seed(&s.customers, "customer", n, func() time.Time { return at }, func(r *record) {
		m := r.data
		email := fmt.Sprintf("customer%d@example.com", r.id)
		m["email"], m["username"] = email, fmt.Sprintf("customer%d", r.id)
		m["billing"].(map[string]any)["email"] = email
	})
}

// SeedProducts adds n published simple products ("Product N", price
// N.99, in stock), each modified a second after the previous, and returns
// their ids.
func (s *Server) SeedProducts(n int) []int64 {
	return s.seed(&s.products, "product", n, s.tick, func(r *record) {
		m := r.data
		slug := fmt.Sprintf("product-%d", r.id)
		price := fmt.Sprintf("%d.99", r.id%100)
		m["name"], m["slug"] = fmt.Sprintf("Product %d", r.id), slug
		m["permalink"] = s.URL + "/product/" + slug + "/"
		m["price"], m["regular_price"] = price, price
		m["related_ids"] = []any{}
	})
}

// ModifyOrder sets an order's date_modified to at, as an edit in the shop
// would. The test fails if there is no such order.
func (s *Server) ModifyOrder(id int64, at time.Time) { s.modify(&s.orders, "order", id, at) }

// ModifyCustomer is ModifyOrder for a customer.
func (s *Server) ModifyCustomer(id int64, at time.Time) { s.modify(&s.customers, "customer", id, at) }

func (s *Server) modify(recs *[]*record, kind string, id int64, at time.Time) {
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, r := range *recs {
		if r.id == id {
			r.modified = at.UTC().Truncate(time.Second)
			r.setDates()
			return
		}
	}
	s.t.Errorf("wootest: no %s %d", kind, id)
}

// OrderJSON returns an order as GET /orders/{id} and an order.* webhook
// deliver it, nil when there is none.
func (s *Server) OrderJSON(id int64) []byte { return s.recordJSON(&s.orders, id) }

func (s *Server) recordJSON(recs *[]*record, id int64) []byte {
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, r := range *recs {
		if r.id == id {
			b, err := json.Marshal(r.data)
			if err != nil {
				s.t.Errorf("wootest: %v", err)
			}
			return b
		}
	}
	return nil
}

func (s *Server) collection(name string) *[]*record {
	switch name {
	case "orders":
		return &s.orders
	case "customers":
		return &s.customers
	}
	return &s.products
}

// orderbyAllowed are the orderby values a collection accepts; anything
// else is a 400 rest_invalid_param, as in WooCommerce.
func orderbyAllowed(name string) []string {
	switch name {
	case "orders":
		return []string{"date", "id", "include", "title", "slug", "modified"}
	case "customers":
		return []string{"id", "include", "name", "registered_date"}
	}
	return []string{"date", "id", "include", "title", "slug", "modified", "price", "popularity", "rating", "menu_order"}
}

func contains(list []string, v string) bool {
	for _, x := range list {
		if x == v {
			return true
		}
	}
	return false
}

// list serves a collection. The customers collection has no modified_after
// parameter; WordPress ignores unknown parameters, and so does this.
func (s *Server) list(w http.ResponseWriter, r *http.Request, name string) {
	q := r.URL.Query()
	page, perPage := 1, 10
	var err error
	if v := q.Get("page"); v != "" {
		if page, err = strconv.Atoi(v); err != nil || page < 1 {
			writeError(w, http.StatusBadRequest, "rest_invalid_param", "Invalid parameter(s): page")
			return
		}
	}
	if v := q.Get("per_page"); v != "" {
		if perPage, err = strconv.Atoi(v); err != nil || perPage < 1 || perPage > 100 {
			writeError(w, http.StatusBadRequest, "rest_invalid_param", "Invalid parameter(s): per_page")
			return
		}
	}
	orderby := q.Get("orderby")
	if orderby == "" {
		orderby = "date"
		if name == "customers" {
			orderby = "name"
		}
	}
	if !contains(orderbyAllowed(name), orderby) {
		writeError(w, http.StatusBadRequest, "rest_invalid_param", "Invalid parameter(s): orderby")
		return
	}
	var after time.Time
	if v := q.Get("modified_after"); v != "" && name != "customers" {
		if after, err = time.Parse(time.RFC3339, v); err != nil {
			writeError(w, http.StatusBadRequest, "rest_invalid_param", "Invalid parameter(s): modified_after")
			return
		}
	}
	s.mu.Lock()
	var recs []*record
	for _, rec := range *s.collection(name) {
		if after.IsZero() || rec.modified.After(after) {
			recs = append(recs, rec)
		}
	}
	sort.SliceStable(recs, func(i, j int) bool {
		a, b := recs[i], recs[j]
		switch orderby {
		case "modified":
			if !a.modified.Equal(b.modified) {
				return a.modified.Before(b.modified)
			}
		case "date", "registered_date":
			if !a.created.Equal(b.created) {
				return a.created.Before(b.created)
			}
		}
		return a.id < b.id
	})
	if strings.EqualFold(q.Get("order"), "desc") {
		for i, j := 0, len(recs)-1; i < j; i, j = i+1, j-1 {
			recs[i], recs[j] = recs[j], recs[i]
		}
	}
	total := len(recs)
	pages := (total + perPage - 1) / perPage
	out := []map[string]any{}
	for i := (page - 1) * perPage; i < total && i < page*perPage; i++ {
		out = append(out, recs[i].data)
	}
	body, err := json.Marshal(out)
	s.mu.Unlock()
	if err != nil {
		writeError(w, http.StatusInternalServerError, "wootest_encode", err.Error())
		return
	}
	w.Header().Set("X-WP-Total", strconv.Itoa(total))
	w.Header().Set("X-WP-TotalPages", strconv.Itoa(pages))
	w.Header().Set("Content-Type", "application/json; charset=UTF-8")
	w.Write(body)
}

func (s *Server) get(w http.ResponseWriter, name, idText string) {
	id, _ := strconv.ParseInt(idText, 10, 64)
	if b := s.recordJSON(s.collection(name), id); b != nil {
		w.Header().Set("Content-Type", "application/json; charset=UTF-8")
		w.Write(b)
		return
	}
	code := map[string]string{"orders": "woocommerce_rest_shop_order_invalid_id", "customers": "woocommerce_rest_invalid_id", "products": "woocommerce_rest_product_invalid_id"}[name]
	writeError(w, http.StatusNotFound, code, "Invalid ID.")
}
