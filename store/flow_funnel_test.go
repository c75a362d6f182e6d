package store

import (
	"context"
	"errors"
	"testing"
	"time"
)

// A flow's funnel from real rows: enrollments at each step and finished in
// each way, step records, the flow's messages (another flow's, a skipped
// one and a non-flow one left out) and the revenue credited to them.
func TestFlowFunnel(t *testing.T) {
	ctx := context.Background()
	s := openTest(t)
	at := time.Date(2026, 11, 2, 9, 0, 0, 0, time.UTC)
	enrol := func(id, flow, status, step string) {
		t.Helper()
		err := s.InTx(ctx, func(tx *Tx) error {
			_, err := tx.InsertEnrollment(Enrollment{ID: id, WorkspaceID: "ws_a", FlowID: flow, FlowVersion: 1,
				ContactID: "ct_" + id, Status: "active", CurrentStep: "wait", CreatedAt: at})
			if err != nil {
				return err
			}
			run := func(step, status string) error {
				_, err := tx.RecordStepRun(StepRun{EnrollmentID: id, StepID: step, WorkspaceID: "ws_a", Attempt: 1, Status: status, At: at})
				return err
			}
			switch step {
			case "email":
				if err := run("wait", "done"); err != nil {
					return err
				}
			case "":
				for _, st := range []string{"wait", "email"} {
					status := "done"
					if id == "e4" && st == "email" {
						status = "skipped"
					}
					if err := run(st, status); err != nil {
						return err
					}
				}
			}
			if _, err := tx.AdvanceEnrollment("ws_a", id, "wait", step, "active", at, at); err != nil {
				return err
			}
			if status != "active" {
				_, err = tx.EndEnrollment("ws_a", id, status, at)
			}
			return err
		})
		if err != nil {
			t.Fatal(err)
		}
	}
	enrol("e1", "flow_a", "active", "wait")
	enrol("e2", "flow_a", "active", "email")
	enrol("e3", "flow_a", "exited_goal", "")
	enrol("e4", "flow_a", "completed", "")
	enrol("e5", "flow_a", "exited_goal", "")
	enrol("x1", "flow_b", "active", "email")
	msg := func(id, flow, enrollment, status string) {
		t.Helper()
		if _, _, err := s.CreateMessage(ctx, Message{ID: id, WorkspaceID: "ws_a", ContactID: "ct_" + enrollment, Channel: "email",
			StepKey: enrollment + "/email", FlowID: flow, EnrollmentID: enrollment, Status: status, CreatedAt: at}); err != nil {
			t.Fatal(err)
		}
	}
	msg("m3", "flow_a", "e3", "sent")
	msg("m4", "flow_a", "e4", "skipped")
	msg("m5", "flow_a", "e5", "outbox")
	msg("mx", "flow_b", "x1", "sent")
	if _, _, err := s.CreateMessage(ctx, Message{ID: "doi", WorkspaceID: "ws_a", ContactID: "ct_e3", Channel: "email",
		StepKey: "doi:ct_e3", Status: "sent", CreatedAt: at}); err != nil {
		t.Fatal(err)
	}
	_ = s.RecordMessageOpen(ctx, "m3", false, at)
	_ = s.RecordMessageClick(ctx, "m3", at.Add(time.Minute))
	_ = s.RecordMessageClick(ctx, "mx", at.Add(time.Minute))
	if id, err := s.AttributeOrder(ctx, "ws_a", "ct_e3", "o1", 4200, "EUR", at, at.Add(48*time.Hour)); err != nil || id != "m3" {
		t.Fatalf("attribute: %q %v", id, err)
	}

	f, err := s.FlowFunnel(ctx, "ws_a", "flow_a")
	if err != nil {
		t.Fatal(err)
	}
	if f.Entered != 5 || f.Converted != 2 || f.Statuses["active"] != 2 || f.Statuses["completed"] != 1 {
		t.Errorf("entered %d, converted %d, statuses %v", f.Entered, f.Converted, f.Statuses)
	}
	if w := f.Steps["wait"]; w.Now != 1 || w.Done != 4 || w.Passed() != 4 || w.Sent != 0 {
		t.Errorf("wait step: %+v", w)
	}
	if e := f.Steps["email"]; e.Now != 1 || e.Done != 2 || e.Skipped != 1 || e.Passed() != 3 || e.Sent != 2 || e.Opened != 1 || e.Clicked != 1 {
		t.Errorf("email step: %+v", e)
	}
	if len(f.Revenue) != 1 || f.Revenue[0].Minor != 4200 || f.Revenue[0].Currency != "EUR" || f.Revenue[0].Count != 1 {
		t.Errorf("revenue: %+v", f.Revenue)
	}
	if len(f.Steps) != 2 {
		t.Errorf("steps: %+v", f.Steps)
	}
	if other, _ := s.FlowFunnel(ctx, "ws_a", "flow_b"); other.Entered != 1 || other.Steps["email"].Clicked != 1 || len(other.Revenue) != 0 {
		t.Errorf("flow_b: %+v", other)
	}
	if _, err := s.NewestContactWithEmail(ctx, "ws_a"); !errors.Is(err, ErrNotFound) {
		t.Errorf("no contact has an email: %v", err)
	}
	err = s.InTx(ctx, func(tx *Tx) error {
		for i, c := range []struct{ id, email string }{{"ct_old", "old@example.com"}, {"ct_new", "new@example.com"}, {"ct_anon", ""}} {
			at := at.Add(time.Duration(i) * time.Hour)
			if err := tx.CreateContact(Contact{WorkspaceID: "ws_a", ID: c.id, Email: c.email, Attributes: []byte("{}"), CreatedAt: at, UpdatedAt: at}); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if id, err := s.NewestContactWithEmail(ctx, "ws_a"); err != nil || id != "ct_new" {
		t.Errorf("newest contact with an email: %q %v", id, err)
	}
	if en, err := s.LatestEnrollment(ctx, "ws_a", "flow_a", "ct_e3"); err != nil || en.ID != "e3" {
		t.Errorf("latest enrollment: %+v %v", en, err)
	}
	if _, err := s.LatestEnrollment(ctx, "ws_a", "flow_b", "ct_e3"); !errors.Is(err, ErrNotFound) {
		t.Errorf("an enrollment in a flow the contact never entered: %v", err)
	}
}
