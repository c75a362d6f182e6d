package jsasset

import "testing"

func TestAcceptsGzip(t *testing.T) {
	for h, want := range map[string]bool{
		"":                      false,
		"gzip":                  true,
		"GZIP":                  true,
		"deflate, gzip;q=1.0":   true,
		"br;q=1, gzip;q=0":      false,
		"*":                     true,
		"identity":              false,
		"x-gzip":                true,
		"gzip;q=0.001":          true,
		"gzipped":               false,
		" gzip ; q = 0.5 , br ": true,
	} {
		if got := acceptsGzip(h); got != want {
			t.Errorf("acceptsGzip(%q) = %v, want %v", h, got, want)
		}
	}
}
