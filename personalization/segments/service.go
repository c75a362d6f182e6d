package segments

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"strings"
	"time"

	"github.com/cartwheelhq/cartwheel/ids"
	"github.com/cartwheelhq/cartwheel/store"
)

// Service is what the API and the console call: segment definitions,
// sizes, members and the ready-made segments.
type Service struct {
	st *store.Store
	fw *Follower
}

// NewService returns the service; fw is told to evaluate a workspace
// again after a definition changes (nil: nobody is told, for tools).
func NewService(st *store.Store, fw *Follower) *Service { return &Service{st: st, fw: fw} }

// Segment is a segment with its size now.
type Segment struct {
	ID          string          `json:"id"`
	Name        string          `json:"name"`
	Description string          `json:"description,omitempty"`
	Definition  json.RawMessage `json:"definition"`
	ReadyMade   string          `json:"ready_made,omitempty"`
	Size        int64           `json:"size"`
	CreatedAt   time.Time       `json:"created_at"`
	UpdatedAt   time.Time       `json:"updated_at"`
	// Since is when the contact entered (ContactSegments only).
	Since time.Time `json:"since,omitzero"`
}

// Input is what an admin sends to create or change a segment.
type Input struct {
	Name        string          `json:"name"`
	Description string          `json:"description,omitempty"`
	Definition  json.RawMessage `json:"definition"`
}

// ErrNotFound is a segment the workspace does not have.
var ErrNotFound = errors.New("segment not found")

func (s *Service) out(ctx context.Context, sg store.Segment) (Segment, error) {
	n, err := s.st.SegmentCount(ctx, sg.WorkspaceID, sg.ID)
	if err != nil {
		return Segment{}, err
	}
	return Segment{ID: sg.ID, Name: sg.Name, Description: sg.Description, Definition: sg.Definition, ReadyMade: sg.ReadyMade,
		Size: n, CreatedAt: sg.CreatedAt, UpdatedAt: sg.UpdatedAt}, nil
}

// validate checks an input and returns its definition compacted.
func (in Input) validate() ([]byte, error) {
	name := strings.TrimSpace(in.Name)
	if name == "" || len(name) > maxNameLen {
		return nil, invalid("name", "is required, at most %d characters", maxNameLen)
	}
	if len(in.Description) > 1000 {
		return nil, invalid("description", "at most 1000 characters")
	}
	if len(bytes.TrimSpace(in.Definition)) == 0 {
		return nil, invalid("definition", "is required")
	}
	if _, err := Parse(in.Definition); err != nil {
		return nil, err
	}
	var b bytes.Buffer
	if err := json.Compact(&b, in.Definition); err != nil {
		return nil, invalid("definition", "%v", err)
	}
	return b.Bytes(), nil
}

// Create stores a new segment; its members are found by the follower.
func (s *Service) Create(ctx context.Context, workspaceID string, in Input) (Segment, error) {
	return s.put(ctx, store.Segment{WorkspaceID: workspaceID, ID: ids.New("seg")}, in)
}

// Update replaces a segment's name, description and definition.
func (s *Service) Update(ctx context.Context, workspaceID, id string, in Input) (Segment, error) {
	sg, err := s.st.Segment(ctx, workspaceID, id)
	if errors.Is(err, store.ErrNotFound) {
		return Segment{}, ErrNotFound
	}
	if err != nil {
		return Segment{}, err
	}
	return s.put(ctx, sg, in)
}

func (s *Service) put(ctx context.Context, sg store.Segment, in Input) (Segment, error) {
	def, err := in.validate()
	if err != nil {
		return Segment{}, err
	}
	now := time.Now()
	if s.fw != nil {
		now = s.fw.o.Now()
	}
	if sg.CreatedAt.IsZero() {
		sg.CreatedAt = now
	}
	sg.Name, sg.Description, sg.Definition, sg.UpdatedAt = strings.TrimSpace(in.Name), in.Description, def, now
	if err := s.st.PutSegment(ctx, sg); err != nil {
		return Segment{}, err
	}
	if s.fw != nil {
		s.fw.Rebuild(sg.WorkspaceID)
	}
	return s.Get(ctx, sg.WorkspaceID, sg.ID)
}

// Get returns one segment with its size.
func (s *Service) Get(ctx context.Context, workspaceID, id string) (Segment, error) {
	sg, err := s.st.Segment(ctx, workspaceID, id)
	if errors.Is(err, store.ErrNotFound) {
		return Segment{}, ErrNotFound
	}
	if err != nil {
		return Segment{}, err
	}
	return s.out(ctx, sg)
}

// List returns the workspace's segments with their sizes.
func (s *Service) List(ctx context.Context, workspaceID string) ([]Segment, error) {
	stored, err := s.st.Segments(ctx, workspaceID)
	if err != nil {
		return nil, err
	}
	out := make([]Segment, 0, len(stored))
	for _, sg := range stored {
		o, err := s.out(ctx, sg)
		if err != nil {
			return nil, err
		}
		out = append(out, o)
	}
	return out, nil
}

// Delete removes a segment with its members and history. Members leave
// without segment_left events: the segment is gone, not they.
func (s *Service) Delete(ctx context.Context, workspaceID, id string) error {
	if _, err := s.Get(ctx, workspaceID, id); err != nil {
		return err
	}
	return s.st.DeleteSegment(ctx, workspaceID, id)
}

// Install installs a ready-made segment, or returns the one installed
// before from it.
func (s *Service) Install(ctx context.Context, workspaceID, key string) (Segment, error) {
	rm, ok := ReadyMadeByKey(key)
	if !ok {
		return Segment{}, invalid("key", "%q is not a ready-made segment", key)
	}
	sg, err := s.st.SegmentByReadyMade(ctx, workspaceID, key)
	switch {
	case err == nil:
		return s.out(ctx, sg)
	case !errors.Is(err, store.ErrNotFound):
		return Segment{}, err
	}
	return s.put(ctx, store.Segment{WorkspaceID: workspaceID, ID: ids.New("seg"), ReadyMade: key},
		Input{Name: rm.Name, Description: rm.Description, Definition: rm.Definition})
}

// Members pages through a segment's members by contact id.
func (s *Service) Members(ctx context.Context, workspaceID, id, after string, limit int) ([]store.SegmentMemberRow, error) {
	if _, err := s.Get(ctx, workspaceID, id); err != nil {
		return nil, err
	}
	if limit <= 0 || limit > 500 {
		limit = 50
	}
	return s.st.SegmentMembers(ctx, workspaceID, id, after, limit)
}

// Sizes returns a segment's daily sizes over the last days days.
func (s *Service) Sizes(ctx context.Context, workspaceID, id string, days int) ([]store.SegmentSize, error) {
	if _, err := s.Get(ctx, workspaceID, id); err != nil {
		return nil, err
	}
	now := time.Now()
	if s.fw != nil {
		now = s.fw.o.Now()
	}
	since := now.UTC().AddDate(0, 0, -days).Format(time.DateOnly)
	return s.st.SegmentSizes(ctx, workspaceID, id, since)
}

// ContactSegments lists the segments a contact is in, by name.
func (s *Service) ContactSegments(ctx context.Context, workspaceID, contactID string) ([]Segment, error) {
	ms, err := s.st.ContactSegments(ctx, workspaceID, contactID)
	if err != nil {
		return nil, err
	}
	out := make([]Segment, 0, len(ms))
	for _, m := range ms {
		sg, err := s.st.Segment(ctx, workspaceID, m.SegmentID)
		if errors.Is(err, store.ErrNotFound) {
			continue
		}
		if err != nil {
			return nil, err
		}
		out = append(out, Segment{ID: sg.ID, Name: sg.Name, ReadyMade: sg.ReadyMade, Since: m.Since})
	}
	return out, nil
}
