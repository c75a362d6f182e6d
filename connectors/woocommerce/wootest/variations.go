package wootest

import (
	"bytes"
	"encoding/json"
	"net/http"
	"strconv"
	"time"
)

// AddVariableProduct stores a variable product and its variations, each
// given as the REST v3 body GET /products/{id} answers (the testdata
// samples): the product is listed with the others by GET /products, and
// its variations are served by GET /products/{id}/variations. Ids and
// dates are the bodies' own.
func (s *Server) AddVariableProduct(product []byte, variations ...[]byte) {
	parent := s.bodyRecord(product)
	vs := make([]*record, 0, len(variations))
	for _, v := range variations {
		vs = append(vs, s.bodyRecord(v))
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	s.products = append(s.products, parent)
	if s.variations == nil {
		s.variations = map[int64][]*record{}
	}
	s.variations[parent.id] = vs
}

func (s *Server) bodyRecord(body []byte) *record {
	dec := json.NewDecoder(bytes.NewReader(body))
	dec.UseNumber()
	var m map[string]any
	if err := dec.Decode(&m); err != nil {
		s.t.Fatalf("wootest: record body: %v", err)
	}
	id, err := strconv.ParseInt(string(m["id"].(json.Number)), 10, 64)
	if err != nil {
		s.t.Fatalf("wootest: record id: %v", err)
	}
	at := func(key string) time.Time {
		v, _ := m[key].(string)
		t, err := time.Parse(gmtLayout, v)
		if err != nil {
			s.t.Fatalf("wootest: record %d %s: %v", id, key, err)
		}
		return t
	}
	return &record{id: id, created: at("date_created_gmt"), modified: at("date_modified_gmt"), data: m}
}

// listVariations serves GET /products/{id}/variations: every variation on
// one page (per_page is at most 100 and the samples have fewer).
func (s *Server) listVariations(w http.ResponseWriter, idText string) {
	id, _ := strconv.ParseInt(idText, 10, 64)
	s.mu.Lock()
	vs, ok := s.variations[id]
	out := make([]map[string]any, 0, len(vs))
	for _, v := range vs {
		out = append(out, v.data)
	}
	body, err := json.Marshal(out)
	s.mu.Unlock()
	if !ok {
		writeError(w, http.StatusNotFound, "woocommerce_rest_product_invalid_id", "Invalid ID.")
		return
	}
	if err != nil {
		writeError(w, http.StatusInternalServerError, "wootest_encode", err.Error())
		return
	}
	w.Header().Set("X-WP-Total", strconv.Itoa(len(out)))
	w.Header().Set("X-WP-TotalPages", "1")
	w.Header().Set("Content-Type", "application/json; charset=UTF-8")
	w.Write(body)
}
