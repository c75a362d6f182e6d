package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
)

type flowFunnelQueries struct {
	FlowFunnelStatuses string `query:"flow-funnel-statuses"`
	FlowFunnelAtStep   string `query:"flow-funnel-at-step"`
	FlowFunnelStepRuns string `query:"flow-funnel-step-runs"`
	FlowFunnelMessages string `query:"flow-funnel-messages"`
	FlowFunnelRevenue  string `query:"flow-funnel-revenue"`
	FlowPreviewContact string `query:"flow-preview-contact"`
	FlowPreviewEnroll  string `query:"flow-preview-enrollment"`
}

// FlowFunnel is how a flow's enrollments went, over all its versions.
type FlowFunnel struct {
	// Statuses counts enrollments by status; Entered is their sum.
	Statuses map[string]int
	Entered  int
	// Converted counts enrollments that reached the flow's goal
	// (status exited_goal).
	Converted int
	// Steps holds each step's figures by step id.
	Steps map[string]StepFunnel
	// Revenue is what orders credited to the flow's messages brought, per
	// currency.
	Revenue []Money
}

// StepFunnel is one step's figures: how many enrollments wait on it now,
// how many it ran for (done, skipped, failed) and, for a send step, its
// messages that went out, were opened by a person and were clicked.
type StepFunnel struct {
	Now, Done, Skipped, Failed int
	Sent, Opened, Clicked      int
}

// Passed is how many enrollments went past the step (done or skipped).
func (s StepFunnel) Passed() int { return s.Done + s.Skipped }

// FlowFunnel computes a flow's funnel: one query per figure.
func (s *Store) FlowFunnel(ctx context.Context, workspaceID, flowID string) (FlowFunnel, error) {
	f := FlowFunnel{Statuses: map[string]int{}, Steps: map[string]StepFunnel{}}
	step := func(id string, fn func(*StepFunnel)) {
		v := f.Steps[id]
		fn(&v)
		f.Steps[id] = v
	}
	scan := func(query string, each func(*sql.Rows) error) error {
		rows, err := s.r.QueryContext(ctx, query, workspaceID, flowID)
		if err != nil {
			return fmt.Errorf("flow funnel: %w", err)
		}
		defer rows.Close()
		for rows.Next() {
			if err := each(rows); err != nil {
				return fmt.Errorf("flow funnel: %w", err)
			}
		}
		if err := rows.Err(); err != nil {
			return fmt.Errorf("flow funnel: %w", err)
		}
		return nil
	}
	err := scan(s.q.FlowFunnelStatuses, func(r *sql.Rows) error {
		var status string
		var n int
		if err := r.Scan(&status, &n); err != nil {
			return err
		}
		f.Statuses[status] = n
		f.Entered += n
		if status == "exited_goal" {
			f.Converted = n
		}
		return nil
	})
	if err != nil {
		return f, err
	}
	err = scan(s.q.FlowFunnelAtStep, func(r *sql.Rows) error {
		var id string
		var n int
		if err := r.Scan(&id, &n); err != nil {
			return err
		}
		step(id, func(v *StepFunnel) { v.Now = n })
		return nil
	})
	if err != nil {
		return f, err
	}
	err = scan(s.q.FlowFunnelStepRuns, func(r *sql.Rows) error {
		var id, status string
		var n int
		if err := r.Scan(&id, &status, &n); err != nil {
			return err
		}
		step(id, func(v *StepFunnel) {
			switch status {
			case "done":
				v.Done = n
			case "skipped":
				v.Skipped = n
			case "failed":
				v.Failed = n
			}
		})
		return nil
	})
	if err != nil {
		return f, err
	}
	err = scan(s.q.FlowFunnelMessages, func(r *sql.Rows) error {
		var id string
		var sent, opened, clicked int
		if err := r.Scan(&id, &sent, &opened, &clicked); err != nil {
			return err
		}
		step(id, func(v *StepFunnel) { v.Sent, v.Opened, v.Clicked = sent, opened, clicked })
		return nil
	})
	if err != nil {
		return f, err
	}
	err = scan(s.q.FlowFunnelRevenue, func(r *sql.Rows) error {
		var m Money
		if err := r.Scan(&m.Currency, &m.Count, &m.Minor); err != nil {
			return err
		}
		f.Revenue = append(f.Revenue, m)
		return nil
	})
	return f, err
}

// NewestContactWithEmail is the id of the workspace's newest contact that
// has an email address; ErrNotFound when none has.
func (s *Store) NewestContactWithEmail(ctx context.Context, workspaceID string) (string, error) {
	var id string
	err := s.r.QueryRowContext(ctx, s.q.FlowPreviewContact, workspaceID).Scan(&id)
	if errors.Is(err, sql.ErrNoRows) {
		return "", ErrNotFound
	}
	if err != nil {
		return "", fmt.Errorf("newest contact with email: %w", err)
	}
	return id, nil
}

// LatestEnrollment is a contact's newest enrollment in a flow;
// ErrNotFound when the contact never entered it.
func (s *Store) LatestEnrollment(ctx context.Context, workspaceID, flowID, contactID string) (Enrollment, error) {
	e, err := scanEnrollment(s.r.QueryRowContext(ctx, s.q.FlowPreviewEnroll, workspaceID, flowID, contactID))
	if err != nil {
		return e, fmt.Errorf("latest enrollment of %s in %s: %w", contactID, flowID, err)
	}
	return e, nil
}
