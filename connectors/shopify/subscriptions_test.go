package shopify

import (
	"context"
	"errors"
	"testing"

	"github.com/cartwheelhq/cartwheel/connectors/shopify/shopifytest"
)

func TestTopicEnum(t *testing.T) {
	cases := map[string]string{
		"orders/create": "ORDERS_CREATE",
		"customers_email_marketing_consent/update": "CUSTOMERS_EMAIL_MARKETING_CONSENT_UPDATE",
		"inventory_levels/update":                  "INVENTORY_LEVELS_UPDATE",
		"app/uninstalled":                          "APP_UNINSTALLED",
	}
	for in, want := range cases {
		eq(t, "TopicEnum("+in+")", TopicEnum(in), want)
	}
}

func TestDefaultTopicsDecode(t *testing.T) {
	topics := DefaultTopics()
	eq(t, "topic count", len(topics), 16)
	for _, topic := range topics {
		if _, err := Decode(topic, []byte(`{}`)); errors.Is(err, ErrUnknownTopic) {
			t.Errorf("subscribed topic %s cannot be decoded", topic)
		}
	}
}

func TestRegisterWebhooksIdempotent(t *testing.T) {
	srv := shopifytest.NewServer(t)
	srv.SetMaxPageSize(3) // the listing spans several pages
	const hook = "https://cw.example/webhooks/shopify"
	srv.AddWebhook("ORDERS_CREATE", "https://old.example/hook") // another address: left alone
	srv.AddWebhook("ORDERS_PAID", hook)                         // already there: not created again
	c := newTestClient(srv)
	ctx := context.Background()

	if err := c.RegisterWebhooks(ctx, hook, DefaultTopics()); err != nil {
		t.Fatal(err)
	}
	subs := srv.Webhooks()
	eq(t, "subscriptions", len(subs), 2+15)
	got := map[string]int{}
	for _, s := range subs {
		if s.URI == hook {
			got[s.Topic]++
		}
	}
	for _, topic := range DefaultTopics() {
		if got[TopicEnum(topic)] != 1 {
			t.Errorf("%s subscribed %d times", topic, got[TopicEnum(topic)])
		}
	}

	before := srv.Requests()
	if err := c.RegisterWebhooks(ctx, hook, DefaultTopics()); err != nil {
		t.Fatal(err)
	}
	eq(t, "subscriptions after the second call", len(srv.Webhooks()), 17)
	eq(t, "requests of the second call (list pages only)", srv.Requests()-before, 6) // ceil(17/3)
}

func TestRegisterWebhooksUserError(t *testing.T) {
	srv := shopifytest.NewServer(t)
	err := newTestClient(srv).RegisterWebhooks(context.Background(), "ftp://nope", []string{"orders/create"})
	var ue UserErrors
	if !errors.As(err, &ue) || ue[0].Message != "Address is invalid" {
		t.Fatalf("err = %v, want the userError", err)
	}
	if err := newTestClient(srv).RegisterWebhooks(context.Background(), "", DefaultTopics()); err == nil {
		t.Fatal("an empty callback URL was accepted")
	}
}
