package main

import (
	"bytes"
	"compress/gzip"
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestBenchPredictSynthetic runs the command on a simulated population and
// checks it reports the fit and every measure.
func TestBenchPredictSynthetic(t *testing.T) {
	var out bytes.Buffer
	if err := benchPredict(context.Background(), []string{"--synthetic", "3000", "--horizon", "60d"}, &out); err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"fitted on 3000 customers", "BG/NBD r=", "Gamma–Gamma p=", "AUC ordered in window",
		"MAE order days", "total spend", "median abs. error of next order date"} {
		if !strings.Contains(out.String(), want) {
			t.Errorf("output lacks %q:\n%s", want, out.String())
		}
	}
}

// TestBenchPredictRetailFile runs the command on a generated file in the UCI
// Online Retail format (not the real data set, which tests must not read):
// too few customers must be refused, enough must be fitted and scored.
func TestBenchPredictRetailFile(t *testing.T) {
	dir := t.TempDir()
	var csv bytes.Buffer
	csv.WriteString("InvoiceNo,StockCode,Description,Quantity,InvoiceDate,UnitPrice,CustomerID,Country\n")
	inv := 500000
	for c := range 400 {
		// Customer c orders every (c%50+7) days from day c%90 of 2011.
		for d := c % 90; d < 240; d += c%50 + 7 {
			inv++
			fmt.Fprintf(&csv, "%d,2%04d,THING,%d,2011-%s 10:00:00,%.2f,%d.0,United Kingdom\n",
				inv, c%30, 1+c%3, dayOf2011(d), 1.5+float64(c%7), 10000+c)
			if c%5 == 0 {
				break // a fifth never come back
			}
		}
	}
	var gz bytes.Buffer
	zw := gzip.NewWriter(&gz)
	zw.Write(csv.Bytes())
	zw.Close()
	if err := os.WriteFile(filepath.Join(dir, "online_retail.csv.gz"), gz.Bytes(), 0o600); err != nil {
		t.Fatal(err)
	}
	var out bytes.Buffer
	err := benchPredict(context.Background(), []string{"--data", dir, "--until", "2011-06-01", "--horizon", "60d", "--min-customers", "1000"}, &out)
	if err == nil || !strings.Contains(err.Error(), "too few customers") {
		t.Errorf("1,000 customers required of 400: err = %v", err)
	}
	out.Reset()
	if err := benchPredict(context.Background(), []string{"--data", dir, "--until", "2011-06-01", "--horizon", "60d"}, &out); err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"customers", "BG/NBD r=", "AUC ordered in window", "replenishment intervals:"} {
		if !strings.Contains(out.String(), want) {
			t.Errorf("output lacks %q:\n%s", want, out.String())
		}
	}
}

// dayOf2011 formats day d (0 = 1 January) of 2011 as MM-DD.
func dayOf2011(d int) string {
	months := []int{31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31}
	m := 0
	for d >= months[m] {
		d -= months[m]
		m++
	}
	return fmt.Sprintf("%02d-%02d", m+1, d+1)
}
