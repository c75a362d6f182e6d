package predict

import (
	"compress/gzip"
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"time"
)

// Line is one product line of an order in a purchase log.
type Line struct {
	Customer, Product, Order string
	Day                      int32
	Value                    float64
}

// nonProducts are the UCI Online Retail stock codes that are not goods
// (postage, adjustments, carriage, discounts, samples, fees, bad debt).
func nonProduct(code string) bool {
	switch code {
	case "POST", "DOT", "M", "m", "C2", "D", "S", "BANK CHARGES", "AMAZONFEE", "CRUK", "B":
		return true
	}
	return false
}

// LoadRetail reads a purchase log from dir: the UCI Online Retail original
// (online_retail.csv[.gz], preferred: it has quantities, so an order's value
// is Σ quantity × unit price) or its interaction-log form (events.csv[.gz],
// one row per line, value = unit price).
func LoadRetail(dir string) ([]Line, string, error) {
	for _, name := range []string{"online_retail.csv.gz", "online_retail.csv", "events.csv.gz", "events.csv"} {
		path := filepath.Join(dir, name)
		f, err := os.Open(path)
		if errors.Is(err, os.ErrNotExist) {
			continue
		}
		if err != nil {
			return nil, "", err
		}
		defer f.Close()
		var r io.Reader = f
		if strings.HasSuffix(name, ".gz") {
			gz, err := gzip.NewReader(f)
			if err != nil {
				return nil, "", fmt.Errorf("%s: %w", path, err)
			}
			r = gz
		}
		lines, err := ReadRetail(r)
		if err != nil {
			return nil, "", fmt.Errorf("%s: %w", path, err)
		}
		return lines, path, nil
	}
	return nil, "", fmt.Errorf("no online_retail.csv.gz or events.csv.gz in %s", dir)
}

// ReadRetail reads either CSV form, dropping what the data set's README says
// to drop: cancellations (invoice starting with C), rows without a customer,
// non-product codes, non-positive quantities and prices. The day is the
// invoice's local calendar date (the shop's, Europe/London).
func ReadRetail(r io.Reader) ([]Line, error) {
	cr := csv.NewReader(r)
	cr.ReuseRecord = true
	head, err := cr.Read()
	if err != nil {
		return nil, fmt.Errorf("header: %w", err)
	}
	col := map[string]int{}
	for i, h := range head {
		col[strings.TrimSpace(strings.TrimPrefix(h, "\ufeff"))] = i
	}
	original := true
	need := []string{"InvoiceNo", "StockCode", "Quantity", "InvoiceDate", "UnitPrice", "CustomerID"}
	if _, ok := col["InvoiceNo"]; !ok {
		original = false
		need = []string{"user_id", "product_id", "timestamp", "price", "order_id"}
	}
	for _, n := range need {
		if _, ok := col[n]; !ok {
			return nil, fmt.Errorf("no %s column (want UCI Online Retail or its events form)", n)
		}
	}
	intern := map[string]string{}
	str := func(s string) string {
		if v, ok := intern[s]; ok {
			return v
		}
		s = strings.Clone(s)
		intern[s] = s
		return s
	}
	var out []Line
	for row := 2; ; row++ {
		rec, err := cr.Read()
		if err == io.EOF {
			break
		}
		if err != nil {
			return nil, fmt.Errorf("row %d: %w", row, err)
		}
		var customer, product, order, date string
		qty, price := 1.0, 0.0
		if original {
			order, product, customer, date = rec[col["InvoiceNo"]], rec[col["StockCode"]], rec[col["CustomerID"]], rec[col["InvoiceDate"]]
			customer = strings.TrimSuffix(customer, ".0")
			if qty, err = strconv.ParseFloat(rec[col["Quantity"]], 64); err != nil {
				return nil, fmt.Errorf("row %d: quantity: %w", row, err)
			}
			if price, err = strconv.ParseFloat(rec[col["UnitPrice"]], 64); err != nil {
				return nil, fmt.Errorf("row %d: unit price: %w", row, err)
			}
		} else {
			order, product, customer, date = rec[col["order_id"]], rec[col["product_id"]], rec[col["user_id"]], rec[col["timestamp"]]
			if price, err = strconv.ParseFloat(rec[col["price"]], 64); err != nil {
				return nil, fmt.Errorf("row %d: price: %w", row, err)
			}
		}
		if strings.HasPrefix(order, "C") || customer == "" || nonProduct(product) || qty <= 0 || price <= 0 {
			continue
		}
		if len(date) < 10 {
			return nil, fmt.Errorf("row %d: date %q", row, date)
		}
		d, err := time.Parse(time.DateOnly, date[:10])
		if err != nil {
			return nil, fmt.Errorf("row %d: date: %w", row, err)
		}
		out = append(out, Line{Customer: str(customer), Product: str(product), Order: str(order), Day: DayOf(d), Value: qty * price})
	}
	return out, nil
}

// CustomersOf groups lines into customers' orders (one Order per invoice,
// its value the sum of its lines), sorted by customer id.
func CustomersOf(lines []Line) []Customer {
	type key struct{ customer, order string }
	byOrder := map[key]int{}
	byCustomer := map[string]int{}
	var cs []Customer
	for _, l := range lines {
		ci, ok := byCustomer[l.Customer]
		if !ok {
			ci = len(cs)
			byCustomer[l.Customer] = ci
			cs = append(cs, Customer{ID: l.Customer})
		}
		k := key{l.Customer, l.Order}
		oi, ok := byOrder[k]
		if !ok {
			oi = len(cs[ci].Orders)
			byOrder[k] = oi
			cs[ci].Orders = append(cs[ci].Orders, Order{Day: l.Day})
		}
		cs[ci].Orders[oi].Value += l.Value
	}
	slices.SortFunc(cs, func(a, b Customer) int { return strings.Compare(a.ID, b.ID) })
	return cs
}

// PurchasesOf is the lines as product purchases, for ReplenishmentIntervals.
func PurchasesOf(lines []Line, before int32) []Purchase {
	ps := make([]Purchase, 0, len(lines))
	for _, l := range lines {
		if l.Day < before {
			ps = append(ps, Purchase{Customer: l.Customer, Product: l.Product, Day: l.Day})
		}
	}
	return ps
}
