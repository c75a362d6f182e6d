package reco

import (
	"encoding/csv"
	"errors"
	"io"
	"os"
	"path/filepath"
	"strconv"
	"strings"
)

// loadProperties reads RetailRocket's item_properties_part*.csv
// (timestamp,itemid,property,value), keeping for each product already
// seen in the events the latest "categoryid" and "available" values.
// The files hold about 20 million rows each, almost all other
// properties: rows are streamed and only those two kept.
func (l *loader) loadProperties(path string) error {
	f, err := os.Open(path)
	if err != nil {
		return err
	}
	defer f.Close()
	c, err := openCSV(f)
	if err != nil {
		return err
	}
	rec, err := c.Read()
	if err != nil {
		return err
	}
	col := map[string]int{}
	for i, h := range rec {
		col[strings.ToLower(strings.TrimSpace(h))] = i
	}
	ts, okT := col["timestamp"]
	item, okI := col["itemid"]
	prop, okP := col["property"]
	val, okV := col["value"]
	if !okT || !okI || !okP || !okV {
		l.logf("  %s: skipped (not timestamp,itemid,property,value)\n", filepath.Base(path))
		return nil
	}
	if l.propAt == nil {
		l.propAt = map[string][2]int64{}
	}
	var used int
	for {
		rec, err := c.Read()
		if err == io.EOF {
			break
		}
		if err != nil {
			var pe *csv.ParseError
			if errors.As(err, &pe) {
				continue
			}
			return err
		}
		if len(rec) <= max(ts, item, prop, val) {
			continue
		}
		which := -1
		switch rec[prop] {
		case "categoryid":
			which = 0
		case "available":
			which = 1
		default:
			continue
		}
		p := l.products[rec[item]]
		t, err := strconv.ParseInt(rec[ts], 10, 64)
		if p == nil || err != nil {
			continue
		}
		last := l.propAt[p.ID]
		if t < last[which] {
			continue // an older value than the one kept
		}
		last[which] = t
		l.propAt[p.ID] = last
		if which == 0 {
			p.Category = l.intern(strings.TrimSpace(rec[val]))
		} else {
			p.InStock = strings.TrimSpace(rec[val]) == "1"
		}
		used++
	}
	l.logf("  %s: RetailRocket item properties, %d category/availability values used\n", filepath.Base(path), used)
	return nil
}
