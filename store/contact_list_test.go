package store

import (
	"context"
	"fmt"
	"slices"
	"testing"
	"time"
)

func TestListContactsPagesAndSearches(t *testing.T) {
	ctx := context.Background()
	s := openTest(t)
	base := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	people := []Contact{
		{ID: "ct_anna0000000000", Email: "anna.kowalska@example.pl", FirstName: "Anna", LastName: "Kowalska", Phone: "+48600100200"},
		{ID: "ct_annabel0000000", Email: "bel@example.com", FirstName: "Annabel", LastName: "Lee"},
		{ID: "ct_jan00000000000", Email: "jan@example.pl", FirstName: "Jan", LastName: "Nowak", Phone: "+48500300400"},
		{ID: "ct_merged00000000", Email: "anna.old@example.pl", FirstName: "Anna"},
	}
	for i := 0; i < 7; i++ {
		people = append(people, Contact{ID: fmt.Sprintf("ct_filler%08d", i), Email: fmt.Sprintf("f%d@example.com", i)})
	}
	err := s.InTx(ctx, func(tx *Tx) error {
		for i, c := range people {
			c.WorkspaceID, c.Attributes = "ws_a", []byte("{}")
			c.CreatedAt, c.UpdatedAt = base.Add(time.Duration(i)*time.Minute), base
			if err := tx.CreateContact(c); err != nil {
				return err
			}
		}
		// Another workspace's Anna never shows in ws_a.
		if err := tx.CreateContact(Contact{WorkspaceID: "ws_b", ID: "ct_other000000000", Email: "anna@other.example",
			FirstName: "Anna", Attributes: []byte("{}"), CreatedAt: base, UpdatedAt: base}); err != nil {
			return err
		}
		return tx.MergeContact("ws_a", "ct_merged00000000", "ct_anna0000000000", base)
	})
	if err != nil {
		t.Fatal(err)
	}
	ids := func(p ContactPage) []string {
		var out []string
		for _, c := range p.Contacts {
			out = append(out, c.ID)
		}
		return out
	}
	// Paging: newest first, every live contact once, the merged one never.
	var all []string
	cursor := ""
	for pages := 0; ; pages++ {
		p, err := s.ListContacts(ctx, "ws_a", ContactFilter{Cursor: cursor, Limit: 4})
		if err != nil {
			t.Fatal(err)
		}
		all = append(all, ids(p)...)
		if p.NextCursor == "" || pages > 5 {
			break
		}
		cursor = p.NextCursor
	}
	if len(all) != len(people)-1 || slices.Contains(all, "ct_merged00000000") || all[0] != "ct_filler00000006" ||
		all[len(all)-1] != "ct_anna0000000000" {
		t.Errorf("paged list = %v", all)
	}
	for q, want := range map[string][]string{
		"anna":              {"ct_annabel0000000", "ct_anna0000000000"}, // first name prefix and email prefix
		"ANNA K":            {"ct_anna0000000000"},
		"kowal":             {"ct_anna0000000000"},
		"Jan@Example.pl":    {"ct_jan00000000000"},
		"+48 500":           {"ct_jan00000000000"},
		"ct_annabel0000000": {"ct_annabel0000000"},
		"nobody":            nil,
	} {
		p, err := s.ListContacts(ctx, "ws_a", ContactFilter{Query: q})
		if err != nil {
			t.Fatalf("%q: %v", q, err)
		}
		if got := ids(p); !slices.Equal(got, want) {
			t.Errorf("search %q = %v, want %v", q, got, want)
		}
	}
	if _, err := s.ListContacts(ctx, "ws_a", ContactFilter{Cursor: "garbage"}); err != ErrBadCursor {
		t.Errorf("bad cursor: %v", err)
	}
}
