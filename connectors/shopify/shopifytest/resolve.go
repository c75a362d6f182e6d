package shopifytest

import (
	"encoding/json"
	"regexp"
	"strconv"
	"strings"
	"time"
)

func (s *Server) resolveShop() answer {
	sh := s.shop
	return answer{data: map[string]any{"shop": map[string]any{
		"name": sh.Name, "currencyCode": sh.Currency, "myshopifyDomain": sh.MyshopifyDomain, "ianaTimezone": sh.Timezone,
		"primaryDomain": map[string]any{"url": "https://" + sh.Domain, "host": sh.Domain},
	}}}
}

// pageBounds applies first/after to n items whose cursor at index i is
// cursor(i): it returns the slice bounds of the page.
func (s *Server) pageBounds(vars map[string]any, n int, cursor func(int) string) (int, int, bool) {
	first := intVar(vars, "first", 0)
	if first < 1 || first > 250 {
		return 0, 0, false
	}
	from := 0
	if after := strVar(vars, "after"); after != "" {
		from = -1
		for i := 0; i < n; i++ {
			if cursor(i) == after {
				from = i + 1
				break
			}
		}
		if from < 0 {
			return 0, 0, false
		}
	}
	return from, min(n, from+min(first, s.maxPage)), true
}

func pageInfo(hasNext bool, end string) map[string]any {
	var cur any
	if end != "" {
		cur = end
	}
	return map[string]any{"hasNextPage": hasNext, "endCursor": cur}
}

func (s *Server) resolveProducts(vars map[string]any) answer {
	cursor := func(i int) string { return "prod:" + s.products[i].ID }
	from, to, ok := s.pageBounds(vars, len(s.products), cursor)
	if !ok {
		return gqlError("BAD_REQUEST", "invalid first or after argument")
	}
	nodes := make([]any, 0, to-from)
	for _, p := range s.products[from:to] {
		nodes = append(nodes, p.node())
	}
	end := ""
	if to > from {
		end = cursor(to - 1)
	}
	s.productPages++
	return answer{data: map[string]any{"products": map[string]any{
		"pageInfo": pageInfo(to < len(s.products), end), "nodes": nodes,
	}}}
}

func (s *Server) resolveWebhooks(vars map[string]any) answer {
	cursor := func(i int) string { return "wh:" + s.webhooks[i].ID }
	from, to, ok := s.pageBounds(vars, len(s.webhooks), cursor)
	if !ok {
		return gqlError("BAD_REQUEST", "invalid first or after argument")
	}
	nodes := make([]any, 0, to-from)
	for _, w := range s.webhooks[from:to] {
		nodes = append(nodes, map[string]any{"id": w.ID, "topic": w.Topic, "uri": w.URI})
	}
	end := ""
	if to > from {
		end = cursor(to - 1)
	}
	return answer{data: map[string]any{"webhookSubscriptions": map[string]any{
		"pageInfo": pageInfo(to < len(s.webhooks), end), "nodes": nodes,
	}}}
}

var topicEnum = regexp.MustCompile(`^[A-Z][A-Z0-9_]*$`)

func userErrors(errs ...map[string]any) []any {
	out := make([]any, 0, len(errs))
	for _, e := range errs {
		out = append(out, e)
	}
	return out
}

func (s *Server) createWebhook(vars map[string]any) answer {
	topic := strVar(vars, "topic")
	in, _ := vars["webhookSubscription"].(map[string]any)
	uri := strVar(in, "uri")
	if uri == "" {
		uri = strVar(in, "callbackUrl")
	}
	result := func(sub any, errs []any) answer {
		return answer{data: map[string]any{"webhookSubscriptionCreate": map[string]any{"webhookSubscription": sub, "userErrors": errs}}}
	}
	if !topicEnum.MatchString(topic) {
		return gqlError("BAD_REQUEST", "Variable $topic of type WebhookSubscriptionTopic! was provided invalid value")
	}
	if !strings.HasPrefix(uri, "https://") && !strings.HasPrefix(uri, "http://") {
		return result(nil, userErrors(map[string]any{"field": []string{"webhookSubscription", "uri"}, "message": "Address is invalid"}))
	}
	for _, w := range s.webhooks {
		if w.Topic == topic && w.URI == uri {
			return result(nil, userErrors(map[string]any{"field": []string{"webhookSubscription", "uri"}, "message": "Address for this topic has already been taken"}))
		}
	}
	w := s.addWebhook(topic, uri)
	return result(map[string]any{"id": w.ID, "topic": w.Topic, "uri": w.URI}, []any{})
}

// createDiscount checks the DiscountCodeBasicInput the way Shopify
// documents it (required code, title, startsAt, context, customerGets with
// a percentage in 0..1 or an amount) and refuses duplicate codes with
// code TAKEN.
func (s *Server) createDiscount(vars map[string]any) answer {
	in, _ := vars["basicCodeDiscount"].(map[string]any)
	result := func(node any, errs []any) answer {
		return answer{data: map[string]any{"discountCodeBasicCreate": map[string]any{"codeDiscountNode": node, "userErrors": errs}}}
	}
	fail := func(field, code, msg string) answer {
		return result(nil, userErrors(map[string]any{"field": []string{"basicCodeDiscount", field}, "code": code, "message": msg}))
	}
	if in == nil {
		return gqlError("BAD_REQUEST", "Variable $basicCodeDiscount of type DiscountCodeBasicInput! was provided invalid value")
	}
	code, title := strVar(in, "code"), strVar(in, "title")
	switch {
	case code == "":
		return fail("code", "BLANK", "Code can't be blank")
	case title == "":
		return fail("title", "BLANK", "Title can't be blank")
	case in["context"] == nil:
		return fail("context", "BLANK", "Context can't be blank")
	}
	starts, err := time.Parse(time.RFC3339, strVar(in, "startsAt"))
	if err != nil {
		return fail("startsAt", "INVALID", "Starts at is invalid")
	}
	if e := strVar(in, "endsAt"); e != "" {
		ends, err := time.Parse(time.RFC3339, e)
		if err != nil || !ends.After(starts) {
			return fail("endsAt", "INVALID", "Ends at needs to be after starts_at")
		}
	}
	if msg := checkValue(in); msg != "" {
		return fail("customerGets", "INVALID", msg)
	}
	for _, d := range s.discounts {
		if strings.EqualFold(d.Code, code) {
			return fail("code", "TAKEN", "Code must be unique. Please try a different code.")
		}
	}
	s.nextID++
	d := Discount{ID: gid("DiscountCodeNode", s.nextID), Code: code, Title: title, Input: in}
	s.discounts = append(s.discounts, d)
	return result(map[string]any{"id": d.ID, "codeDiscount": map[string]any{
		"title": title, "codes": map[string]any{"nodes": []any{map[string]any{"code": code}}},
	}}, []any{})
}

// checkValue validates customerGets.value; it returns "" when valid.
func checkValue(in map[string]any) string {
	gets, _ := in["customerGets"].(map[string]any)
	value, _ := gets["value"].(map[string]any)
	if gets == nil || value == nil || gets["items"] == nil {
		return "Customer gets needs a value and items"
	}
	if p, ok := value["percentage"].(json.Number); ok {
		f, err := strconv.ParseFloat(p.String(), 64)
		if err != nil || f <= 0 || f > 1 {
			return "Percentage must be between 0 and 1"
		}
		return ""
	}
	amt, _ := value["discountAmount"].(map[string]any)
	a, ok := amt["amount"].(string)
	if !ok {
		return "Value needs a percentage or a discount amount"
	}
	if f, err := strconv.ParseFloat(a, 64); err != nil || f <= 0 {
		return "Amount must be a positive decimal"
	}
	return ""
}
