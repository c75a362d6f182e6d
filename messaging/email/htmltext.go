package email

import (
	"html"
	"strings"
	"unicode"
	"unicode/utf8"
)

// HTMLToText turns an email's HTML into the text/plain alternative: what a
// reader sees, in reading order, without markup. Links become "text (url)",
// headings are upper-cased, block elements and table rows start new lines,
// table cells are separated by spaces, images are replaced by their alt text,
// entities are decoded and whitespace is collapsed. Content a reader would not
// see (head, style, script, and elements hidden with display:none such as the
// preheader) is left out.
func HTMLToText(src string) string {
	z := newTokenizer(src)
	var w textWriter
	type openLink struct {
		href  string
		start int
	}
	var (
		links     []openLink
		skip      string // name of the element whose subtree is being skipped
		skipDepth int
		heading   int
		pre       int
		open      []openElem // to know, at an end tag, whether the element was display:block
	)
	for tok, ok := z.next(); ok; tok, ok = z.next() {
		if skip != "" {
			switch {
			case tok.kind == tokStart && tok.name == skip && !tok.selfClosing && !isVoid(tok.name):
				skipDepth++
			case tok.kind == tokEnd && tok.name == skip:
				skipDepth--
				if skipDepth == 0 {
					skip = ""
				}
			}
			continue
		}
		switch tok.kind {
		case tokText:
			if tok.name != "" { // raw text of a textarea: not reading content
				continue
			}
			s := html.UnescapeString(tok.text)
			if heading > 0 {
				s = strings.ToUpper(s)
			}
			if pre > 0 {
				w.pre(s)
			} else {
				w.text(s)
			}
		case tokStart:
			if invisible(tok.name) || (hidden(tok) && !isVoid(tok.name) && !tok.selfClosing) {
				if !isVoid(tok.name) && !tok.selfClosing {
					skip, skipDepth = tok.name, 1
				}
				continue
			}
			n := blockBreak(tok.name)
			if !isVoid(tok.name) && !tok.selfClosing {
				block := n == 0 && styleHas(tok, "display:block")
				open = append(open, openElem{tok.name, block})
				if block {
					n = 1
				}
			}
			if n > 0 {
				w.newline(n)
			}
			switch tok.name {
			case "br":
				w.newline(1)
			case "hr":
				w.newline(1)
				w.word("----")
				w.newline(1)
			case "td", "th":
				w.space = true
			case "li":
				w.word("-")
				w.space = true
			case "img":
				if alt := strings.TrimSpace(tok.attrValue("alt")); alt != "" {
					w.text(alt)
				}
			case "a":
				links = append(links, openLink{href: strings.TrimSpace(tok.attrValue("href")), start: w.b.Len()})
			}
			switch {
			case isHeading(tok.name):
				heading++
			case tok.name == "pre":
				pre++
			}
		case tokEnd:
			switch {
			case tok.name == "a" && len(links) > 0:
				l := links[len(links)-1]
				links = links[:len(links)-1]
				w.link(l.href, l.start)
			case tok.name == "td" || tok.name == "th":
				w.space = true
			case isHeading(tok.name) && heading > 0:
				heading--
			case tok.name == "pre" && pre > 0:
				pre--
			}
			n := blockBreak(tok.name)
			for i := len(open) - 1; i >= 0; i-- {
				if open[i].name == tok.name {
					for _, e := range open[i:] {
						if e.block {
							n = max(n, 1)
						}
					}
					open = open[:i]
					break
				}
			}
			if n > 0 {
				w.newline(n)
			}
		}
	}
	return strings.TrimSpace(w.b.String())
}

type openElem struct {
	name  string
	block bool
}

// invisible elements never contribute reading text.
func invisible(name string) bool {
	switch name {
	case "head", "style", "script", "title", "template", "noscript", "textarea":
		return true
	}
	return false
}

func isHeading(name string) bool {
	return len(name) == 2 && name[0] == 'h' && name[1] >= '1' && name[1] <= '6'
}

// blockBreak is how many line breaks surround an element: 2 (a blank line)
// for paragraphs, headings, tables and lists, 1 for other blocks and rows.
func blockBreak(name string) int {
	switch name {
	case "p", "table", "ul", "ol", "blockquote", "pre", "h1", "h2", "h3", "h4", "h5", "h6":
		return 2
	case "div", "tr", "li", "section", "article", "header", "footer", "nav", "main", "aside",
		"center", "address", "dl", "dt", "dd", "figure", "figcaption", "form", "caption", "tbody", "thead", "tfoot":
		return 1
	}
	return 0
}

// textWriter accumulates text with collapsed whitespace.
type textWriter struct {
	b     strings.Builder
	nl    int  // trailing newlines in b
	space bool // a separating space is due before the next word
}

func (w *textWriter) text(s string) {
	s = strings.Map(dropInvisible, s)
	if s == "" {
		return
	}
	words := strings.FieldsFunc(s, unicode.IsSpace)
	if unicode.IsSpace(firstRune(s)) || len(words) == 0 {
		w.space = true
	}
	for i, word := range words {
		if i > 0 {
			w.space = true
		}
		w.word(word)
	}
	if len(words) > 0 && unicode.IsSpace(lastRune(s)) {
		w.space = true
	}
}

func (w *textWriter) word(s string) {
	if w.space && w.nl == 0 && w.b.Len() > 0 {
		w.b.WriteByte(' ')
	}
	w.b.WriteString(s)
	w.nl, w.space = 0, false
}

// pre writes preformatted text as it is.
func (w *textWriter) pre(s string) {
	if s == "" {
		return
	}
	w.b.WriteString(s)
	w.space = false
	w.nl = len(s) - len(strings.TrimRight(s, "\n"))
}

func (w *textWriter) newline(n int) {
	w.space = false
	if w.b.Len() == 0 {
		return
	}
	for w.nl < n {
		w.b.WriteByte('\n')
		w.nl++
	}
}

// link appends the target of a link that closed after writing from start, so
// that a reader of the text part can still follow it.
func (w *textWriter) link(href string, start int) {
	lower := strings.ToLower(href)
	if href == "" || strings.HasPrefix(lower, "#") || strings.HasPrefix(lower, "javascript:") {
		return
	}
	label := strings.TrimSpace(w.b.String()[start:])
	shown := strings.TrimPrefix(href, "mailto:")
	switch {
	case label == "":
		w.word(href)
	case label == href || label == shown:
	default:
		w.space = true
		w.word("(" + href + ")")
	}
}

// dropInvisible removes the zero-width characters email layouts use as
// padding.
func dropInvisible(r rune) rune {
	switch r {
	case '\u200b', '\u200c', '\u200d', '\u034f', '\ufeff', '\u00ad':
		return -1
	}
	return r
}

func firstRune(s string) rune {
	r, _ := utf8.DecodeRuneInString(s)
	return r
}

func lastRune(s string) rune {
	r, _ := utf8.DecodeLastRuneInString(s)
	return r
}
