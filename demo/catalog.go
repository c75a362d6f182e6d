package demo

import (
	"fmt"
	"math/rand/v2"
	"slices"
	"strings"
	"time"
	"unicode"

	"github.com/cartwheelhq/cartwheel/commerce"
)

// perCategory is how many products each category gets; ten categories make
// a catalogue big enough that listings page and recommendations have
// something to choose from.
const perCategory = 26

// catalogSeed fixes the generator so every install has the same catalogue
// and product ids stay stable across restarts and upgrades.
const catalogSeed = 20240611

// newArrivalWindow is how far back product creation dates are spread, so
// that "new arrivals" and "newest first" mean something.
const newArrivalWindow = 180 * 24 * time.Hour

// Tags with a meaning in the storefront.
const (
	tagFeatured = "featured"
	tagSale     = "sale"
)

// Catalog generates the demo catalogue for a shop. It is deterministic: the
// same arguments always give the same products, ids and handles, so loading
// it again updates rows rather than adding new ones. Prices are in the minor
// unit of currency and are designed for two-decimal currencies.
func Catalog(workspaceID, shopID, currency, publicURL string, now time.Time) []commerce.Product {
	base := strings.TrimRight(publicURL, "/")
	r := rand.New(rand.NewPCG(catalogSeed, catalogSeed>>3))
	now = now.UTC().Truncate(time.Second)
	var out []commerce.Product
	handles := map[string]bool{}
	for _, cat := range categorySpecs() {
		picked := pickProducts(r, cat)
		featured := false
		for _, p := range picked {
			p.ID = fmt.Sprintf("demo-p-%03d", len(out)+1)
			p.ExternalID = p.ID
			p.WorkspaceID, p.ShopID, p.Currency, p.Status = workspaceID, shopID, currency, "active"
			p.Handle = uniqueHandle(handles, slugify(p.Title))
			p.URL = base + "/demo/p/" + p.Handle
			p.ImageURL = base + "/demo/img/" + p.ID + ".svg"
			age := time.Duration(r.Int64N(int64(newArrivalWindow/time.Minute))) * time.Minute
			p.CreatedAt, p.UpdatedAt = now.Add(-age), now
			if !featured && p.InStock() {
				p.Tags = append(p.Tags, tagFeatured)
				featured = true
			}
			out = append(out, p)
		}
	}
	return out
}

// pickProducts builds every title of a category, shuffles them and keeps
// perCategory, filling in everything but the identity fields.
func pickProducts(r *rand.Rand, cat categorySpec) []commerce.Product {
	type combo struct {
		k    *kind
		name string
		v    variant
	}
	var all []combo
	for i := range cat.kinds {
		k := &cat.kinds[i]
		for _, n := range k.names {
			if len(k.variants) == 0 {
				all = append(all, combo{k: k, name: n})
				continue
			}
			for _, v := range k.variants {
				all = append(all, combo{k: k, name: n, v: v})
			}
		}
	}
	r.Shuffle(len(all), func(i, j int) { all[i], all[j] = all[j], all[i] })
	all = all[:min(perCategory, len(all))]

	out := make([]commerce.Product, 0, len(all))
	for _, c := range all {
		title := c.name
		if c.v.label != "" {
			title += c.k.sep + c.v.label
		}
		vendor := cat.vendors[r.IntN(len(cat.vendors))]
		p := commerce.Product{
			Title:       title,
			Vendor:      vendor,
			Category:    cat.name,
			Description: describe(r, c.k, c.name, vendor, cat.closing),
			PriceMinor:  price(r, c.k.lo, c.k.hi, c.v.pct),
			Stock:       3 + r.Int64N(118),
		}
		p.ReplenishDays = c.k.replenish
		if c.v.replenish != 0 && p.ReplenishDays != 0 {
			p.ReplenishDays = c.v.replenish
		}
		p.Tags = []string{slugify(cat.name)}
		for _, t := range append(slices.Clone(c.k.tags), slugify(c.v.label)) {
			if t != "" && !slices.Contains(p.Tags, t) {
				p.Tags = append(p.Tags, t)
			}
		}
		// About one in six is on sale, one in eighteen sold out: enough for
		// both states to show on most listing pages.
		if r.IntN(6) == 0 {
			p.CompareMinor = roundPrice(p.PriceMinor * int64(120+r.IntN(31)) / 100)
			p.Tags = append(p.Tags, tagSale)
		}
		if r.IntN(18) == 0 {
			p.Stock = 0
		}
		out = append(out, p)
	}
	return out
}

// describe writes a three- or four-sentence description.
func describe(r *rand.Rand, k *kind, name, vendor, closing string) string {
	parts := []string{fmt.Sprintf(k.lead, name, vendor)}
	i := r.IntN(len(k.details))
	parts = append(parts, k.details[i])
	if len(k.details) > 2 {
		j := (i + 1 + r.IntN(len(k.details)-1)) % len(k.details)
		parts = append(parts, k.details[j])
	}
	return strings.Join(append(parts, closing), " ")
}

// price picks a price in [lo, hi], scales it by pct percent and rounds it
// to a shelf price ending in .90.
func price(r *rand.Rand, lo, hi int64, pct int) int64 {
	p := lo + r.Int64N(hi-lo+1)
	if pct != 0 {
		p = p * int64(pct) / 100
	}
	return roundPrice(p)
}

// roundPrice rounds minor units to the nearest whole unit minus ten minor
// units: 1234 → 1190, 1286 → 1290.
func roundPrice(p int64) int64 {
	p = (p+50)/100*100 - 10
	return max(p, 90)
}

// uniqueHandle returns h, or h with a numeric suffix if it is taken, and
// marks the result as taken.
func uniqueHandle(taken map[string]bool, h string) string {
	out := h
	for n := 2; taken[out]; n++ {
		out = fmt.Sprintf("%s-%d", h, n)
	}
	taken[out] = true
	return out
}

// slugify turns a title into a URL handle: lower-case ASCII letters and
// digits separated by single hyphens ("Chef's Knife 20 cm – Walnut Handle"
// → "chefs-knife-20-cm-walnut-handle").
func slugify(s string) string {
	var b strings.Builder
	hyphen := false
	for _, c := range strings.ToLower(s) {
		if c == '\'' || c == '’' {
			continue
		}
		if t, ok := transliterate(c); ok {
			c = t
		}
		if c < unicode.MaxASCII && (unicode.IsLetter(c) || unicode.IsDigit(c)) {
			if hyphen && b.Len() > 0 {
				b.WriteByte('-')
			}
			b.WriteRune(c)
			hyphen = false
			continue
		}
		hyphen = true
	}
	return b.String()
}

// transliterate maps the accented letters the catalogue uses to ASCII.
func transliterate(c rune) (rune, bool) {
	switch c {
	case 'á', 'à', 'â', 'ä', 'ą':
		return 'a', true
	case 'é', 'è', 'ê', 'ë', 'ę':
		return 'e', true
	case 'í', 'ì', 'î', 'ï':
		return 'i', true
	case 'ó', 'ò', 'ô', 'ö', 'ō':
		return 'o', true
	case 'ú', 'ù', 'û', 'ü':
		return 'u', true
	case 'ñ', 'ń':
		return 'n', true
	case 'ç', 'ć':
		return 'c', true
	case 'ł':
		return 'l', true
	case '×':
		return 'x', true
	}
	return c, false
}
