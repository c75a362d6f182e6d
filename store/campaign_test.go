package store

import (
	"context"
	"slices"
	"testing"
)

// The segment audience reads segment_members, which the segments package
// creates; the table is made here as the issue names it, so that the query
// is checked before that package lands.
func TestSegmentAudiencePage(t *testing.T) {
	s := openTest(t)
	ctx := context.Background()
	if _, err := s.w.ExecContext(ctx, `CREATE TABLE IF NOT EXISTS segment_members (workspace_id TEXT NOT NULL,
		segment_id TEXT NOT NULL, contact_id TEXT NOT NULL, since INTEGER NOT NULL,
		PRIMARY KEY (workspace_id, segment_id, contact_id))`); err != nil {
		t.Fatal(err)
	}
	rows := [][3]string{{"w1", "vip", "a"}, {"w1", "vip", "b"}, {"w1", "new", "b"}, {"w1", "new", "c"}, {"w1", "new", "d"},
		{"w1", "churned", "c"}, {"w2", "vip", "x"}}
	for _, r := range rows {
		if _, err := s.w.ExecContext(ctx, `INSERT INTO segment_members VALUES (?, ?, ?, 0)`, r[0], r[1], r[2]); err != nil {
			t.Fatal(err)
		}
	}
	got, err := s.SegmentAudiencePage(ctx, "w1", []string{"vip", "new"}, []string{"churned"}, "", 10)
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(got, []string{"a", "b", "d"}) {
		t.Fatalf("members %v, want a b d (c is excluded, x in another workspace)", got)
	}
	page, err := s.SegmentAudiencePage(ctx, "w1", []string{"vip", "new"}, nil, "b", 1)
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(page, []string{"c"}) {
		t.Fatalf("after b: %v", page)
	}
}
