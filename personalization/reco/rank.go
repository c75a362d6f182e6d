package reco

import (
	"cmp"
	"slices"
)

// ranking is a top list of product indexes, best first, by a key read
// from the items. Keys only ever grow between rebuilds (a sale adds to a
// decayed score, see Engine.popularity), so bumping the product whose key
// grew keeps the list exact: O(len) per bump, no heap needed.
type ranking struct {
	ids []uint32
}

// bump places i after its key grew (or when it is new to the list).
func (r *ranking) bump(i uint32, key func(uint32) float64, capacity int) {
	k := key(i)
	pos := slices.Index(r.ids, i)
	if pos < 0 {
		switch {
		case k <= 0: // never sold, or no date: not worth a place
			return
		case len(r.ids) < capacity:
			r.ids = append(r.ids, i)
		case k > key(r.ids[len(r.ids)-1]):
			r.ids[len(r.ids)-1] = i
		default:
			return
		}
		pos = len(r.ids) - 1
	}
	for pos > 0 && key(r.ids[pos-1]) < k {
		r.ids[pos], r.ids[pos-1] = r.ids[pos-1], r.ids[pos]
		pos--
	}
}

// remove drops i, leaving the list one shorter until the next rebuild.
func (r *ranking) remove(i uint32) {
	if pos := slices.Index(r.ids, i); pos >= 0 {
		r.ids = slices.Delete(r.ids, pos, pos+1)
	}
}

// rebuild recomputes the list from every live item that in accepts:
// O(products), for removals and category moves only.
func (r *ranking) rebuild(items []item, in func(uint32) bool, key func(uint32) float64, capacity int) {
	r.ids = r.ids[:0]
	for j := range items {
		i := uint32(j)
		if !items[j].removed && in(i) && key(i) > 0 {
			r.ids = append(r.ids, i)
		}
	}
	slices.SortStableFunc(r.ids, func(a, b uint32) int { return cmp.Compare(key(b), key(a)) })
	if len(r.ids) > capacity {
		r.ids = slices.Clone(r.ids[:capacity]) // let the O(products) scratch go
	}
}
