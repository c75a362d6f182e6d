package demo

import (
	"bytes"
	"encoding/xml"
	"fmt"
	"hash/fnv"
	"strings"

	"github.com/cartwheelhq/cartwheel/commerce"
)

// ImageSize is the width and height, in CSS pixels, of every product image;
// pages put it on <img> so the browser reserves the space before it loads.
const ImageSize = 400

// palette colours one category's images: a light background, a mid-tone
// accent for the decoration and a dark ink for the glyph and the name, dark
// enough on the background for WCAG AA text contrast.
type palette struct{ bg, accent, ink string }

func paletteFor(category string) palette {
	switch category {
	case "Coffee":
		return palette{"#f3e7da", "#d7b89a", "#4a2c1a"}
	case "Tea":
		return palette{"#e6f0df", "#b5cfa4", "#2f4a23"}
	case "Kitchen":
		return palette{"#fbe9e4", "#eeb3a3", "#6b2617"}
	case "Apparel":
		return palette{"#e5ebf5", "#aebfdd", "#23345a"}
	case "Footwear":
		return palette{"#efe8f5", "#c7b5dc", "#3e2659"}
	case "Outdoor":
		return palette{"#e0efec", "#a3cdc4", "#1d4a42"}
	case "Beauty":
		return palette{"#fbe8f0", "#efb4cb", "#6a1f3d"}
	case "Home":
		return palette{"#f6f0dc", "#e0cf94", "#594813"}
	case "Books":
		return palette{"#ebe9e4", "#c4bfb2", "#35322b"}
	case "Pets":
		return palette{"#fdf0dd", "#f2c98f", "#6a3c07"}
	}
	return palette{"#eeeeee", "#cccccc", "#333333"}
}

// glyph returns a simple shape for the category, drawn around (0, 0) within
// roughly ±70 units, in the ink colour; bg is used to cut details out.
func glyph(category, bg string) string {
	switch category {
	case "Coffee":
		return `<g transform="rotate(-30)"><ellipse rx="46" ry="64"/><path d="M0 -58 C-22 -20 22 20 0 58" fill="none" stroke="` + bg + `" stroke-width="8" stroke-linecap="round"/></g>`
	case "Tea":
		return `<path d="M-60 -20 H40 V10 A50 50 0 0 1 -60 10 Z"/><path d="M40 -8 A22 22 0 0 1 40 36" fill="none" stroke="currentColor" stroke-width="10"/>` +
			`<rect x="-78" y="52" width="136" height="10" rx="5"/><path d="M-30 -34 q-10 -14 0 -28 M0 -34 q-10 -14 0 -28" fill="none" stroke="currentColor" stroke-width="6" stroke-linecap="round"/>`
	case "Kitchen":
		return `<circle cx="-18" r="52"/><circle cx="-18" r="36" fill="` + bg + `" opacity=".35"/><rect x="30" y="-9" width="58" height="18" rx="9"/>`
	case "Apparel":
		return `<path d="M-30 -62 L-70 -40 L-52 -6 L-40 -12 V62 H40 V-12 L52 -6 L70 -40 L30 -62 Q0 -40 -30 -62 Z"/>`
	case "Footwear":
		return `<path d="M-72 8 V-40 H-36 Q-30 -10 0 -6 L46 2 Q72 8 72 30 V38 H-72 Z"/><rect x="-72" y="42" width="144" height="12" rx="6"/>`
	case "Outdoor":
		return `<circle cx="40" cy="-42" r="18"/><path d="M-78 54 L-24 -34 L12 20 L30 -4 L78 54 Z"/>`
	case "Beauty":
		return `<rect x="-34" y="-30" width="68" height="96" rx="14"/><rect x="-16" y="-58" width="32" height="30" rx="4"/><rect x="-22" y="0" width="44" height="36" rx="4" fill="` + bg + `" opacity=".5"/>`
	case "Home":
		return `<path d="M-70 -4 L0 -66 L70 -4 Z"/><rect x="-54" y="-4" width="108" height="68"/><rect x="-14" y="22" width="28" height="42" fill="` + bg + `"/>`
	case "Books":
		return `<rect x="-52" y="-64" width="104" height="128" rx="6"/><rect x="-40" y="-64" width="6" height="128" fill="` + bg + `" opacity=".5"/><rect x="-20" y="-36" width="56" height="8" rx="4" fill="` + bg + `"/><rect x="-20" y="-20" width="40" height="8" rx="4" fill="` + bg + `"/>`
	case "Pets":
		return `<ellipse cy="24" rx="38" ry="32"/><ellipse cx="-50" cy="-14" rx="14" ry="18"/><ellipse cx="-20" cy="-44" rx="14" ry="18"/><ellipse cx="20" cy="-44" rx="14" ry="18"/><ellipse cx="50" cy="-14" rx="14" ry="18"/>`
	}
	return `<circle r="56"/>`
}

// ProductSVG draws p's product image: the category's colours and glyph, a
// little decoration placed by a hash of the id so neighbouring products look
// different, and the product's short name. The same product always gives the
// same bytes, the image references nothing external, and its viewBox and
// size are fixed at ImageSize.
func ProductSVG(p commerce.Product) []byte {
	pal := paletteFor(p.Category)
	h := fnv.New64a()
	h.Write([]byte(p.ID))
	seed := h.Sum64()
	// Two soft circles in corners picked by the hash.
	cx1, cy1 := 40+int(seed%120), 30+int(seed>>8%80)
	cx2, cy2 := 260+int(seed>>16%110), 200+int(seed>>24%120)
	r1, r2 := 50+int(seed>>32%50), 40+int(seed>>40%60)

	var b bytes.Buffer
	fmt.Fprintf(&b, `<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 %[1]d %[1]d" width="%[1]d" height="%[1]d" role="img" aria-label="%[2]s">`,
		ImageSize, escapeXML(p.Title))
	fmt.Fprintf(&b, `<title>%s</title>`, escapeXML(p.Title))
	fmt.Fprintf(&b, `<rect width="%[1]d" height="%[1]d" fill="%[2]s"/>`, ImageSize, pal.bg)
	fmt.Fprintf(&b, `<circle cx="%d" cy="%d" r="%d" fill="%s" opacity=".45"/>`, cx1, cy1, r1, pal.accent)
	fmt.Fprintf(&b, `<circle cx="%d" cy="%d" r="%d" fill="%s" opacity=".35"/>`, cx2, cy2, r2, pal.accent)
	fmt.Fprintf(&b, `<g transform="translate(200 150)" fill="%[1]s" color="%[1]s">%[2]s</g>`, pal.ink, glyph(p.Category, pal.bg))
	lines := wrap(shortName(p.Title), 20, 3)
	y := 290 - 14*(len(lines)-1)
	fmt.Fprintf(&b, `<text x="200" y="%d" text-anchor="middle" font-family="system-ui, -apple-system, 'Segoe UI', Roboto, sans-serif" font-size="24" font-weight="600" fill="%s">`, y, pal.ink)
	for i, l := range lines {
		dy := 0
		if i > 0 {
			dy = 30
		}
		fmt.Fprintf(&b, `<tspan x="200" dy="%d">%s</tspan>`, dy, escapeXML(l))
	}
	b.WriteString(`</text></svg>`)
	return b.Bytes()
}

// shortName drops the variant from "Merino Crew Socks – Charcoal": the image
// names the product, the page names the variant.
func shortName(title string) string {
	name, _, _ := strings.Cut(title, " – ")
	return name
}

// wrap breaks s into at most maxLines lines of about width characters at
// word boundaries, ending with an ellipsis when it had to cut.
func wrap(s string, width, maxLines int) []string {
	var lines []string
	cur := ""
	for _, w := range strings.Fields(s) {
		switch {
		case cur == "":
			cur = w
		case len([]rune(cur))+1+len([]rune(w)) <= width:
			cur += " " + w
		default:
			lines = append(lines, cur)
			cur = w
		}
	}
	if cur != "" {
		lines = append(lines, cur)
	}
	if len(lines) > maxLines {
		lines = lines[:maxLines]
		lines[maxLines-1] += "…"
	}
	return lines
}

func escapeXML(s string) string {
	var b strings.Builder
	// EscapeText only fails when the writer does; a Builder never does.
	_ = xml.EscapeText(&b, []byte(s))
	return b.String()
}
