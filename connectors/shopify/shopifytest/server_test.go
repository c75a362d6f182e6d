package shopifytest

import (
	"bytes"
	"context"
	"encoding/json"
	"net/http"
	"testing"
	"time"
)

func TestRootField(t *testing.T) {
	cases := map[string]string{
		`query Products($first: Int!, $after: String) { products(first: $first) { nodes { id } } }`: "products",
		`{ shop { name } }`: "shop",
		"# comment { nope }\nmutation M($x: ID!) {\n  d: discountCodeBasicCreate(x: $x) { id }\n}": "discountCodeBasicCreate",
		`query`: "",
	}
	for q, want := range cases {
		if got := rootField(q); got != want {
			t.Errorf("rootField(%q) = %q, want %q", q, got, want)
		}
	}
}

// post sends one GraphQL request and decodes the answer.
func post(t *testing.T, s *Server, query string, vars map[string]any) (int, map[string]any) {
	t.Helper()
	b, _ := json.Marshal(map[string]any{"query": query, "variables": vars})
	req, _ := http.NewRequest("POST", s.URL()+"/admin/api/2026-01/graphql.json", bytes.NewReader(b))
	req.Header.Set("X-Shopify-Access-Token", s.Token())
	resp, err := s.Client().Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var out map[string]any
	_ = json.NewDecoder(resp.Body).Decode(&out)
	return resp.StatusCode, out
}

func TestBucketRefillsOnVirtualTime(t *testing.T) {
	s := NewServer(t)
	s.Throttle(25, 5)
	q := `query { shop { name } }` // costs 10
	for i, want := range []bool{true, true, false} {
		_, out := post(t, s, q, nil)
		if _, ok := out["data"]; ok != want {
			t.Fatalf("request %d: data=%v, want %v (%v)", i, ok, want, out)
		}
	}
	if s.ThrottledResponses() != 1 {
		t.Fatalf("throttled %d", s.ThrottledResponses())
	}
	_ = s.Sleep(context.Background(), time.Second) // 5 + 5 = 10 points
	if _, out := post(t, s, q, nil); out["data"] == nil {
		t.Fatalf("still throttled after the refill: %v", out)
	}
}

func TestTokenAndPagination(t *testing.T) {
	s := NewServer(t)
	s.SetToken("other")
	ids := s.SeedProducts(5)
	if ids[0] != "9007199254740993" || ids[4] != "9007199254741001" {
		t.Fatalf("seeded ids %v", ids)
	}
	q := `query P($first: Int!, $after: String) { products(first: $first, after: $after) { nodes { id } } }`
	var seen []string
	after := ""
	for range 10 {
		vars := map[string]any{"first": 2}
		if after != "" {
			vars["after"] = after
		}
		status, out := post(t, s, q, vars)
		if status != 200 {
			t.Fatalf("status %d", status)
		}
		conn := out["data"].(map[string]any)["products"].(map[string]any)
		for _, n := range conn["nodes"].([]any) {
			seen = append(seen, n.(map[string]any)["id"].(string))
		}
		pi := conn["pageInfo"].(map[string]any)
		if pi["hasNextPage"] != true {
			break
		}
		after = pi["endCursor"].(string)
	}
	if len(seen) != 5 || seen[4] != "gid://shopify/Product/9007199254741001" {
		t.Fatalf("pages gave %v", seen)
	}
	s.SetToken("")
	if status, _ := post(t, s, q, map[string]any{"first": 1}); status != http.StatusUnauthorized {
		t.Fatalf("empty token: status %d", status)
	}
}
