package main

import (
	"context"
	"encoding/json"
	"io"
	"net/http"
	"testing"
	"time"

	"github.com/cartwheelhq/cartwheel/cdp"
	"github.com/cartwheelhq/cartwheel/store"
)

// An inbox item stored before links were checked, holding a javascript:
// link, reaches the shop's page through GET /inbox without it (issue 12).
func TestInboxAPIDropsScriptLinks(t *testing.T) {
	inst, _ := startTest(t, testEnv(t, t.TempDir(), nil))
	admin := apiClient{t: t, inst: inst, token: testAdminToken}
	w, _, _ := newTenant(t, admin, "Inbox", "inbox-shop.myshopify.com")
	ctx := context.Background()
	now := time.Now().UTC()
	err := inst.st.InTx(ctx, func(tx *store.Tx) error {
		if err := tx.CreateContact(store.Contact{WorkspaceID: w.ID, ID: "ct_inbox", Email: "ann@example.com",
			Attributes: json.RawMessage("{}"), CreatedAt: now}); err != nil {
			return err
		}
		return tx.AddIdentity(w.ID, cdp.KindVisitor, "v-inbox", "ct_inbox", now)
	})
	if err != nil {
		t.Fatal(err)
	}
	for i, body := range []string{
		`{"title":"Bad","url":"javascript:alert(document.cookie)","image":"javascript:alert(2)"}`,
		`{"title":"Good","url":"https://inbox-shop.myshopify.com/cart","image":"https://inbox-shop.myshopify.com/i.png"}`,
	} {
		if _, _, err := inst.st.CreateMessage(ctx, store.Message{ID: "msg_inbox" + string(rune('a'+i)), WorkspaceID: w.ID,
			ContactID: "ct_inbox", Channel: store.ChannelInbox, StepKey: "legacy-" + string(rune('a'+i)), Status: store.MessageSent,
			Subject: "x", Body: json.RawMessage(body), CreatedAt: now.Add(time.Duration(i) * time.Second), SentAt: now}); err != nil {
			t.Fatal(err)
		}
	}
	req, _ := http.NewRequest("GET", inst.url("/inbox?k="+w.SiteKey+"&v=v-inbox"), nil)
	req.Header.Set("Origin", "https://inbox-shop.myshopify.com")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	raw, _ := io.ReadAll(resp.Body)
	var got struct {
		Messages []struct{ Title, URL, Image string } `json:"messages"`
	}
	if err := json.Unmarshal(raw, &got); err != nil || resp.StatusCode != 200 {
		t.Fatalf("inbox: %d %s", resp.StatusCode, raw)
	}
	urls := map[string][2]string{}
	for _, m := range got.Messages {
		urls[m.Title] = [2]string{m.URL, m.Image}
	}
	if len(urls) != 2 || urls["Bad"] != [2]string{"", ""} ||
		urls["Good"] != [2]string{"https://inbox-shop.myshopify.com/cart", "https://inbox-shop.myshopify.com/i.png"} {
		t.Errorf("inbox messages: %s", raw)
	}
}
