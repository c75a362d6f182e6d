package main

import (
	"bytes"
	"context"
	"strings"
	"testing"
)

// bench reco on the UCI Online Retail-format sample: invoices read as
// orders, the basket protocol, the blended row, EASE and the --until cut.
func TestBenchRecoUCISample(t *testing.T) {
	var out bytes.Buffer
	err := benchReco(context.Background(), []string{"--data", "../../personalization/reco/testdata/uci",
		"--split-time", "2011-06-01T00:00:00+01:00", "--basket", "--ease", "1", "--k", "3"}, &out)
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"events.csv: generic format, 14 rows", "EASE λ=1: 7 products", "baskets hit",
		"blended ", "bestsellers (baseline)"} {
		if !strings.Contains(out.String(), want) {
			t.Errorf("output lacks %q:\n%s", want, out.String())
		}
	}
	// Two test orders; 17850's reorder of 85123A is found by the blend.
	var blended string
	for _, l := range strings.Split(out.String(), "\n") {
		if strings.HasPrefix(strings.TrimSpace(l), "blended ") {
			blended = l
		}
	}
	if f := strings.Fields(blended); len(f) < 8 || f[1] == "0.0000" || f[6] != "2" {
		t.Errorf("blended row %q", blended)
	}

	out.Reset()
	if err := benchReco(context.Background(), []string{"--data", "../../personalization/reco/testdata/uci",
		"--split-time", "2010-12-01T09:00:00Z", "--until", "2011-01-01T00:00:00Z", "--tune"}, &out); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(out.String(), "– 2010-12-01 09:02:00") || !strings.Contains(out.String(), "tuning: 60 blends") {
		t.Errorf("--until/--tune:\n%s", out.String())
	}
}
