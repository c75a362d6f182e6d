package reco

import (
	"bufio"
	"compress/gzip"
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"math"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"time"
)

// Column names the CSV loader accepts, compared case-insensitively; the
// first three public formats are just instances of them:
//
//   - RetailRocket events.csv: timestamp,visitorid,event,itemid,transactionid
//     (events view, addtocart, transaction; Unix milliseconds), with item
//     properties read from item_properties_part*.csv (categoryid, available);
//   - REES46 "eCommerce behavior data from multi category store":
//     event_time,event_type,product_id,category_id,category_code,brand,price,
//     user_id,user_session (view, cart, remove_from_cart, purchase);
//   - any CSV whose header names a person and an item column, and
//     optionally event kind, time, session, order, category and price.
//
// Rows of unknown event kinds (remove_from_cart, ratings…) are skipped. A
// file without an event column is all views; one without a time column
// keeps file order, one second apart.
var columnNames = map[string][]string{
	"person":   {"user_id", "userid", "user", "visitorid", "visitor_id", "visitor", "person", "person_id", "customer_id", "customerid", "customer", "client_id"},
	"item":     {"product_id", "productid", "product", "itemid", "item_id", "item", "sku", "variant_id"},
	"event":    {"event_type", "event", "type", "kind", "action", "interaction", "behavior", "behaviour"},
	"time":     {"event_time", "timestamp", "time", "ts", "datetime", "date", "created_at"},
	"session":  {"user_session", "session", "session_id", "sessionid"},
	"order":    {"transactionid", "transaction_id", "order_id", "orderid", "order"},
	"category": {"category_code", "category", "category_id", "categoryid", "category_name"},
	"price":    {"price", "unit_price", "amount"},
}

// eventKinds maps the event names of the known data sets and common
// trackers to interaction kinds.
var eventKinds = map[string]string{
	"view": KindView, "views": KindView, "pageview": KindView, "page_view": KindView, "product_view": KindView,
	"detail": KindView, "click": KindView, "pv": KindView,
	"cart": KindCart, "addtocart": KindCart, "add_to_cart": KindCart, "add-to-cart": KindCart, "basket": KindCart,
	"purchase": KindPurchase, "transaction": KindPurchase, "buy": KindPurchase, "order": KindPurchase,
	"sale": KindPurchase, "checkout": KindPurchase,
}

// LoadOptions tunes Load.
type LoadOptions struct {
	// MaxEvents stops after this many interactions (0: all).
	MaxEvents int
	// Log receives the README's first lines, the detected formats and
	// counts of skipped rows (nil: nothing).
	Log io.Writer
}

// errNoData names the formats Load understands.
var errNoData = errors.New("expected a RetailRocket data set (events.csv[.gz], item_properties_part*.csv), " +
	"REES46 monthly CSVs (event_time,event_type,product_id,…,user_id,user_session) or a CSV with " +
	"user/item/event/timestamp columns")

// LoadDir reads an interaction data set from a directory (or one file):
// see Load.
func LoadDir(dir string) ([]Interaction, []Product, error) {
	return Load(dir, LoadOptions{})
}

// Load reads every .csv and .csv.gz file of a directory, streaming: a
// row at a time, strings interned, so memory is the interactions kept,
// not the files. Products come from the rows' category and price columns
// and RetailRocket's item properties, first seen as their creation time.
// Views without a session id are grouped per person with 30-minute
// inactivity gaps.
func Load(path string, o LoadOptions) ([]Interaction, []Product, error) {
	st, err := os.Stat(path)
	if err != nil {
		return nil, nil, fmt.Errorf("data set %s: %w; %w", path, err, errNoData)
	}
	files := []string{path}
	if st.IsDir() {
		entries, err := os.ReadDir(path)
		if err != nil {
			return nil, nil, err
		}
		files = files[:0]
		for _, en := range entries {
			n := strings.ToLower(en.Name())
			if strings.HasPrefix(n, "readme") && o.Log != nil {
				showReadme(filepath.Join(path, en.Name()), o.Log)
			}
			if strings.HasSuffix(n, ".csv") || strings.HasSuffix(n, ".csv.gz") {
				files = append(files, filepath.Join(path, en.Name()))
			}
		}
	}
	l := newLoader(o)
	var props []string
	for _, f := range files {
		if l.full() {
			break
		}
		kind, err := l.loadFile(f)
		if err != nil {
			return nil, nil, fmt.Errorf("%s: %w", f, err)
		}
		if kind == "item properties" {
			props = append(props, f)
		}
	}
	if len(l.ins) == 0 {
		return nil, nil, fmt.Errorf("%s: no interactions found; %w", path, errNoData)
	}
	for _, f := range props {
		if err := l.loadProperties(f); err != nil {
			return nil, nil, fmt.Errorf("%s: %w", f, err)
		}
	}
	sessionize(l.ins, 30*time.Minute)
	return l.ins, l.productList(), nil
}

// ReadCSV reads one interaction CSV (plain or gzip) whose header maps as
// described at columnNames.
func ReadCSV(r io.Reader, o LoadOptions) ([]Interaction, []Product, error) {
	l := newLoader(o)
	if _, err := l.read(r, "input"); err != nil {
		return nil, nil, err
	}
	sessionize(l.ins, 30*time.Minute)
	return l.ins, l.productList(), nil
}

func showReadme(path string, w io.Writer) {
	f, err := os.Open(path)
	if err != nil {
		return
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	for n := 0; n < 12 && sc.Scan(); n++ {
		fmt.Fprintln(w, "  README |", sc.Text())
	}
}

type loader struct {
	o        LoadOptions
	ins      []Interaction
	products map[string]*Product
	order    []string // product ids, first seen first
	strs     map[string]string
	layout   int // index in timeLayouts that parsed last
	// propAt holds, per product, the times of the category and
	// availability values kept from RetailRocket's item properties.
	propAt map[string][2]int64
}

func newLoader(o LoadOptions) *loader {
	return &loader{o: o, products: map[string]*Product{}, strs: map[string]string{}}
}

func (l *loader) full() bool { return l.o.MaxEvents > 0 && len(l.ins) >= l.o.MaxEvents }

// intern returns one shared copy of s: ids repeat millions of times.
func (l *loader) intern(s string) string {
	if v, ok := l.strs[s]; ok {
		return v
	}
	s = strings.Clone(s)
	l.strs[s] = s
	return s
}

func (l *loader) logf(format string, a ...any) {
	if l.o.Log != nil {
		fmt.Fprintf(l.o.Log, format, a...)
	}
}

func (l *loader) loadFile(path string) (string, error) {
	f, err := os.Open(path)
	if err != nil {
		return "", err
	}
	defer f.Close()
	return l.read(f, filepath.Base(path))
}

// openCSV undoes gzip when the stream starts with its magic number.
func openCSV(r io.Reader) (*csv.Reader, error) {
	br := bufio.NewReaderSize(r, 1<<16)
	if m, _ := br.Peek(2); len(m) == 2 && m[0] == 0x1f && m[1] == 0x8b {
		gz, err := gzip.NewReader(br)
		if err != nil {
			return nil, err
		}
		br = bufio.NewReaderSize(gz, 1<<16)
	}
	c := csv.NewReader(br)
	c.ReuseRecord, c.FieldsPerRecord, c.LazyQuotes = true, -1, true
	return c, nil
}

// header maps each role to its column (-1: absent); for several
// candidate columns of one role, the earlier name in columnNames wins.
func header(rec []string) map[string][]int {
	cols := map[string][]int{}
	for role, names := range columnNames {
		for _, n := range names {
			for i, h := range rec {
				if strings.EqualFold(strings.TrimSpace(strings.TrimPrefix(h, "\ufeff")), n) {
					cols[role] = append(cols[role], i)
				}
			}
		}
	}
	return cols
}

// read parses one CSV stream and says what it was.
func (l *loader) read(r io.Reader, name string) (string, error) {
	c, err := openCSV(r)
	if err != nil {
		return "", err
	}
	rec, err := c.Read()
	if err == io.EOF {
		return "empty", nil
	}
	if err != nil {
		return "", err
	}
	cols := header(rec)
	lower := strings.ToLower(strings.Join(rec, ","))
	if strings.Contains(lower, "property") && len(cols["item"]) > 0 && len(cols["person"]) == 0 {
		return "item properties", nil // read once the products are known
	}
	if len(cols["person"]) == 0 || len(cols["item"]) == 0 {
		l.logf("  %s: skipped (no person and item columns in %q)\n", name, lower)
		return "other", nil
	}
	format := "generic"
	switch {
	case len(cols["order"]) > 0 && strings.Contains(lower, "visitorid"):
		format = "RetailRocket"
	case strings.Contains(lower, "user_session") && strings.Contains(lower, "event_time"):
		format = "REES46"
	}
	get := func(rec []string, role string) string {
		for _, i := range cols[role] {
			if i < len(rec) {
				if v := strings.TrimSpace(rec[i]); v != "" {
					return v
				}
			}
		}
		return ""
	}
	var rows, skipped int
	for !l.full() {
		rec, err := c.Read()
		if err == io.EOF {
			break
		}
		if err != nil {
			var pe *csv.ParseError
			if errors.As(err, &pe) {
				skipped++
				continue
			}
			return "", err
		}
		rows++
		person, item := get(rec, "person"), get(rec, "item")
		kind := KindView
		if len(cols["event"]) > 0 {
			kind = eventKinds[strings.ToLower(get(rec, "event"))]
		}
		when := time.Unix(int64(rows), 0).UTC()
		if len(cols["time"]) > 0 {
			var ok bool
			if when, ok = l.parseTime(get(rec, "time")); !ok {
				kind = ""
			}
		}
		if person == "" || item == "" || kind == "" {
			skipped++
			continue
		}
		sess := get(rec, "session")
		if o := get(rec, "order"); kind == KindPurchase && o != "" {
			sess = "order:" + o
		} else if format == "RetailRocket" {
			sess = "" // views: inactivity sessions, see sessionize
		}
		in := Interaction{Person: l.intern(person), Session: l.intern(sess), ProductID: l.intern(item), Kind: kind, At: when}
		l.ins = append(l.ins, in)
		l.product(in.ProductID, get(rec, "category"), get(rec, "price"), when)
	}
	l.logf("  %s: %s format, %d rows, %d skipped (unknown event kinds or bad rows)\n", name, format, rows, skipped)
	return format, nil
}

func (l *loader) product(id, category, price string, at time.Time) {
	p := l.products[id]
	if p == nil {
		p = &Product{ID: id, InStock: true, CreatedAt: at}
		l.products[id] = p
		l.order = append(l.order, id)
	}
	if at.Before(p.CreatedAt) {
		p.CreatedAt = at
	}
	if category != "" {
		p.Category = l.intern(category)
	}
	if f, err := strconv.ParseFloat(price, 64); err == nil && f >= 0 && f < 1e15 {
		p.PriceMinor = int64(math.Round(f * 100))
	}
}

func (l *loader) productList() []Product {
	out := make([]Product, len(l.order))
	for i, id := range l.order {
		out[i] = *l.products[id]
	}
	return out
}

var timeLayouts = []string{time.RFC3339Nano, "2006-01-02 15:04:05 MST", "2006-01-02 15:04:05", "2006-01-02T15:04:05",
	"2006-01-02 15:04:05-07:00", "2006-01-02"}

// parseTime reads Unix times (seconds, or milli-, micro-, nanoseconds
// told apart by magnitude) and the common date layouts.
func (l *loader) parseTime(s string) (time.Time, bool) {
	if f, err := strconv.ParseFloat(s, 64); err == nil && f > 0 && !math.IsInf(f, 0) {
		switch {
		case f > 1e17:
			return time.Unix(0, int64(f)).UTC(), true
		case f > 1e14:
			return time.UnixMicro(int64(f)).UTC(), true
		case f > 1e11:
			return time.UnixMilli(int64(f)).UTC(), true
		}
		return time.Unix(int64(f), int64((f-math.Floor(f))*1e9)).UTC(), true
	}
	for k := range timeLayouts {
		j := (l.layout + k) % len(timeLayouts)
		if t, err := time.Parse(timeLayouts[j], s); err == nil {
			l.layout = j
			return t.UTC(), true
		}
	}
	return time.Time{}, false
}

// sessionize gives every interaction without a session one made of its
// person and an inactivity gap: a session ends after gap without events.
func sessionize(ins []Interaction, gap time.Duration) {
	var idx []int32
	for i := range ins {
		if ins[i].Session == "" && ins[i].Person != "" {
			idx = append(idx, int32(i))
		}
	}
	slices.SortStableFunc(idx, func(a, b int32) int {
		if c := strings.Compare(ins[a].Person, ins[b].Person); c != 0 {
			return c
		}
		return ins[a].At.Compare(ins[b].At)
	})
	n := 0
	for k, i := range idx {
		if k == 0 || ins[i].Person != ins[idx[k-1]].Person || ins[i].At.Sub(ins[idx[k-1]].At) > gap {
			n++
		}
		ins[i].Session = "s" + strconv.Itoa(n)
	}
}
