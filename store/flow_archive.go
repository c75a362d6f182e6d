package store

import (
	"fmt"
	"time"
)

type flowArchiveQueries struct {
	EnrollmentsEndFlow string `query:"enrollments-end-flow"`
}

// EndFlowEnrollments ends every unfinished (active or held) enrollment of
// a flow with status, in the transaction that archives the flow, and
// returns how many it ended.
func (t *Tx) EndFlowEnrollments(workspaceID, flowID, status string, at time.Time) (int64, error) {
	res, err := t.tx.ExecContext(t.ctx, t.q.EnrollmentsEndFlow, workspaceID, flowID, status, ms(at))
	if err != nil {
		return 0, fmt.Errorf("end enrollments of flow %s: %w", flowID, err)
	}
	n, err := res.RowsAffected()
	if err != nil {
		return 0, fmt.Errorf("end enrollments of flow %s: %w", flowID, err)
	}
	return n, nil
}
