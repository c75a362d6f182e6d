package admin

import (
	"context"
	"fmt"
	"net/url"
	"testing"
	"time"

	"github.com/cartwheelhq/cartwheel/store"
)

// drillBenchPages are the lists behind the dashboard's figures, for the
// dashboard's default period (30 days in the bench workspace's timezone).
func drillBenchPages() []string {
	loc, _ := time.LoadLocation("Europe/Warsaw")
	now := time.Now().In(loc)
	to := time.Date(now.Year(), now.Month(), now.Day()+1, 0, 0, 0, 0, loc)
	p := newPeriod(to.AddDate(0, 0, -30), to)
	return []string{
		p.link("/orders", "currency", "PLN"),
		p.link("/attributed", "currency", "PLN"),
		p.link("/attributed", "recovered", "1"),
		p.link("/contacts"),
		p.link("/contacts", "consent", "email", "state", "granted"),
		p.link("/messages", "channel", "email", "engaged", store.EngagedDelivered),
		p.link("/messages", "channel", "email", "engaged", store.EngagedClicked),
	}
}

// seedDrill credits every tenth bench message with its order (clicked
// first, as attribution needs) and grants email consent to every fifth
// contact, so that the lists behind the figures have rows.
func seedDrill(b *testing.B, st *store.Store, ws string) {
	ctx := context.Background()
	now := time.Now()
	for i := 0; i < 20_000; i += 10 {
		at := now.Add(-time.Duration(i) * 2 * time.Minute)
		id := fmt.Sprintf("msg_%d", i)
		if err := st.RecordMessageClick(ctx, id, at); err != nil {
			b.Fatal(err)
		}
		if _, err := st.AttributeOrder(ctx, ws, fmt.Sprintf("ct_bench%014d", i), fmt.Sprintf("o%d", i), 12999, "PLN",
			at.Add(-time.Minute), at.Add(time.Minute)); err != nil {
			b.Fatal(err)
		}
	}
	err := st.InTx(ctx, func(tx *store.Tx) error {
		for i := 0; i < 100_000; i += 5 {
			at := now.Add(-time.Duration(i) * time.Minute)
			if err := tx.SetConsent(ws, fmt.Sprintf("ct_bench%014d", i), store.Consent{Channel: "email", Granted: true,
				Source: "bench", UpdatedAt: at}); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		b.Fatal(err)
	}
}

// TestDrillBenchPagesParse keeps the benchmark's addresses what the
// handlers read.
func TestDrillBenchPagesParse(t *testing.T) {
	for _, p := range drillBenchPages() {
		u, err := url.Parse(p)
		if err != nil || u.Query().Get("from") == "" || u.Query().Get("to") == "" {
			t.Errorf("%s: %v", p, err)
		}
	}
}
