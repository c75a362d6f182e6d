package main

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"net/http"
	"os"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/cartwheelhq/cartwheel/connectors/shopify"
)

// benchWebhooks measures what a flash sale does to the webhook endpoint: a
// burst of Shopify orders/create deliveries from concurrent senders, each
// acknowledged only once stored; then how fast the stored deliveries are
// processed into orders, events and profiles.
func benchWebhooks(ctx context.Context, args []string, out io.Writer) error {
	fs := flag.NewFlagSet("bench webhooks", flag.ContinueOnError)
	n := fs.Int("deliveries", 1000, "deliveries in the burst")
	senders := fs.Int("senders", 50, "concurrent senders")
	if err := fs.Parse(args); err != nil {
		return err
	}
	dir, err := os.MkdirTemp("", "cartwheel-bench-")
	if err != nil {
		return err
	}
	defer os.RemoveAll(dir)
	const token = "bench-admin-token-0123456789"
	base, srv, stop, err := benchServer(ctx, dir, token, nil)
	if err != nil {
		return err
	}
	defer stop()
	const domain, secret = "bench-shop.myshopify.com", "bench-webhook-secret"
	wsID, shopID, err := benchShop(base, token, domain, secret)
	if err != nil {
		return err
	}

	client := &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: *senders, MaxConnsPerHost: *senders}, Timeout: 10 * time.Second}
	jobs := make(chan int)
	var mu sync.Mutex
	var lat []time.Duration
	failed := 0
	var wg sync.WaitGroup
	begin := time.Now()
	for range *senders {
		wg.Go(func() {
			for i := range jobs {
				body := benchOrder(i)
				req, _ := http.NewRequest("POST", base+"/webhooks/shopify", bytes.NewReader(body))
				req.Header.Set("Content-Type", "application/json")
				req.Header.Set(shopify.HeaderTopic, "orders/create")
				req.Header.Set(shopify.HeaderShopDomain, domain)
				req.Header.Set(shopify.HeaderWebhookID, fmt.Sprintf("bench-%d", i))
				req.Header.Set(shopify.HeaderHmac, shopify.SignWebhook(secret, body))
				t0 := time.Now()
				resp, err := client.Do(req)
				d := time.Since(t0)
				ok := err == nil && resp.StatusCode == 200
				if err == nil {
					io.Copy(io.Discard, resp.Body)
					resp.Body.Close()
				}
				mu.Lock()
				if ok {
					lat = append(lat, d)
				} else {
					failed++
				}
				mu.Unlock()
			}
		})
	}
	for i := range *n {
		jobs <- i
	}
	close(jobs)
	wg.Wait()
	burst := time.Since(begin)
	if len(lat) == 0 {
		return errors.New("no delivery was acknowledged")
	}
	// Processing runs behind the acknowledgements; wait for it to finish.
	var done int
	for done < len(lat) {
		if ctx.Err() != nil || time.Since(begin) > 5*time.Minute {
			return fmt.Errorf("only %d of %d deliveries processed", done, len(lat))
		}
		time.Sleep(20 * time.Millisecond)
		if done, err = benchProcessed(base, token, wsID, shopID); err != nil {
			return err
		}
	}
	total := time.Since(begin)
	slices.Sort(lat)
	pct := func(p float64) time.Duration { return lat[min(len(lat)-1, int(p*float64(len(lat))))] }
	peak, _ := peakRSS(srv.Process.Pid)
	fmt.Fprintf(out, "webhook benchmark: burst of %d Shopify orders/create deliveries from %d concurrent senders\n", *n, *senders)
	fmt.Fprintf(out, "  acknowledged     %d (failed %d) in %s\n", len(lat), failed, burst.Round(time.Millisecond))
	fmt.Fprintf(out, "  ack p50          %s\n", pct(0.50).Round(10*time.Microsecond))
	fmt.Fprintf(out, "  ack p99          %s\n", pct(0.99).Round(10*time.Microsecond))
	fmt.Fprintf(out, "  ack max          %s\n", lat[len(lat)-1].Round(10*time.Microsecond))
	fmt.Fprintf(out, "  all processed    %s after the first send (%.0f deliveries/s end to end)\n",
		total.Round(time.Millisecond), float64(len(lat))/total.Seconds())
	fmt.Fprintf(out, "  server peak RSS  %.1f MiB\n", float64(peak)/1024)
	return nil
}

// benchShop creates a workspace and a hand-connected Shopify shop.
func benchShop(base, token, domain, secret string) (string, string, error) {
	wsID, _, err := benchWorkspace(base, token)
	if err != nil {
		return "", "", err
	}
	body, _ := json.Marshal(map[string]any{"platform": "shopify", "domain": domain, "access_token": "shpat_bench",
		"webhook_secret": secret})
	req, _ := http.NewRequest("POST", base+"/api/v1/shops", bytes.NewReader(body))
	req.Header.Set("Authorization", "Bearer "+token)
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("X-Cartwheel-Workspace", wsID)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return "", "", err
	}
	defer resp.Body.Close()
	var sh struct {
		ID string `json:"id"`
	}
	if resp.StatusCode != http.StatusCreated || json.NewDecoder(resp.Body).Decode(&sh) != nil {
		return "", "", fmt.Errorf("connect bench shop: %d", resp.StatusCode)
	}
	return wsID, sh.ID, nil
}

// benchProcessed counts a shop's deliveries that are no longer pending.
func benchProcessed(base, token, wsID, shopID string) (int, error) {
	req, _ := http.NewRequest("GET", base+"/api/v1/shops/"+shopID+"/status", nil)
	req.Header.Set("Authorization", "Bearer "+token)
	req.Header.Set("X-Cartwheel-Workspace", wsID)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return 0, err
	}
	defer resp.Body.Close()
	var st struct {
		Deliveries struct {
			Counts map[string]int `json:"counts"`
		} `json:"deliveries"`
	}
	if err := json.NewDecoder(resp.Body).Decode(&st); err != nil {
		return 0, err
	}
	if st.Deliveries.Counts["failed"] > 0 {
		return 0, fmt.Errorf("%d deliveries failed", st.Deliveries.Counts["failed"])
	}
	return st.Deliveries.Counts["done"] + st.Deliveries.Counts["ignored"], nil
}

// benchOrder is an orders/create payload in Shopify's shape: a customer,
// three line items, money as decimal strings, a 19-digit id.
func benchOrder(i int) []byte {
	id := 5_900_000_000_000_000_000 + int64(i)
	var items []string
	for k := range 3 {
		items = append(items, fmt.Sprintf(`{"id":%d,"product_id":%d,"variant_id":%d,"sku":"SKU-%d","title":"Product %d",`+
			`"variant_title":"M","name":"Product %d - M","quantity":%d,"price":"%d.90"}`,
			id*10+int64(k), 8_000_000_000+i%300+k, 9_000_000_000+i%300+k, k, k, k, k+1, 10+k))
	}
	now := time.Now().UTC().Format(time.RFC3339)
	return []byte(fmt.Sprintf(`{"id":%d,"name":"#%d","order_number":%d,"email":"buyer%d@example.com","currency":"USD",`+
		`"created_at":%q,"processed_at":%q,"updated_at":%q,"financial_status":"paid","cancelled_at":null,`+
		`"subtotal_price":"68.70","total_discounts":"0.00","total_tax":"0.00","total_price":"68.70",`+
		`"checkout_token":"ct-%d","cart_token":"cart-%d","customer":{"id":%d,"email":"buyer%d@example.com"},`+
		`"note_attributes":[],"discount_codes":[],"line_items":[%s]}`,
		id, 1000+i, 1000+i, i, now, now, now, i, i, 7_000_000_000+int64(i), i, strings.Join(items, ",")))
}
