package campaigns

import (
	"time"
)

// wallLayout is how a local send time is written.
const wallLayout = "2006-01-02T15:04"

// parseWall reads a wall-clock time (no zone).
func parseWall(s string) (time.Time, error) { return time.Parse(wallLayout, s) }

// LocalInstant is the instant the wall-clock time wall happens in loc.
// A wall time skipped by a daylight-saving jump is taken as the instant
// after the jump; one that happens twice, as the first.
func LocalInstant(wall time.Time, loc *time.Location) time.Time {
	return time.Date(wall.Year(), wall.Month(), wall.Day(), wall.Hour(), wall.Minute(), 0, 0, loc).UTC()
}

// earliestZone is the first time zone to reach a wall-clock time (UTC+14,
// Kiritimati): a local-time campaign starts then, and each recipient
// waits for their own zone.
var earliestZone = time.FixedZone("UTC+14", 14*3600)

// startOf is when a campaign with schedule s, asked to go at now, starts.
func startOf(s Schedule, now time.Time) time.Time {
	switch s.Mode {
	case SendAt:
		return s.At.UTC()
	case SendLocal:
		wall, err := parseWall(s.LocalTime)
		if err != nil {
			return now
		}
		return LocalInstant(wall, earliestZone)
	}
	return now
}

// location is the first of the names that loads, else UTC: a time zone the
// tracker guessed wrong must not stop a send.
func location(names ...string) *time.Location {
	for _, n := range names {
		if n == "" {
			continue
		}
		if loc, err := time.LoadLocation(n); err == nil {
			return loc
		}
	}
	return time.UTC
}
