package email

import (
	"html"
	"strings"
)

// This file holds a small, forgiving HTML tokenizer. The standard library has
// none and golang.org/x/net/html is not among the chosen dependencies; email
// HTML is also simple enough (tags, attributes, text, comments) that a scanner
// which keeps byte offsets is all the three users here need: the HTML→text
// converter, the body balancer and the link rewriter, which must edit
// attribute values in place without reserialising (and so disturbing) the
// rest of the document.

type tokenKind int

const (
	tokText tokenKind = iota
	tokStart
	tokEnd
	tokComment
	tokDecl // <!DOCTYPE …>, <?…?>
)

// attr is one attribute of a start tag. val is the raw (still
// entity-encoded) value; valStart/valEnd are its offsets in the source, or -1
// when the attribute has no value.
type attr struct {
	name             string
	val              string
	valStart, valEnd int
	quoted           bool
}

type token struct {
	kind        tokenKind
	name        string // lower-cased tag name
	attrs       []attr
	selfClosing bool
	start, end  int    // offsets of the whole token in the source
	text        string // raw text for tokText and tokComment
	unclosed    bool   // a comment that ran to the end of input
}

func (t token) attr(name string) (attr, bool) {
	for _, a := range t.attrs {
		if a.name == name {
			return a, true
		}
	}
	return attr{}, false
}

// attrValue returns the entity-decoded value of an attribute.
func (t token) attrValue(name string) string {
	a, _ := t.attr(name)
	return html.UnescapeString(a.val)
}

// isRawText reports whether a tag holds text that is not markup until its
// end tag.
func isRawText(name string) bool {
	switch name {
	case "script", "style", "textarea", "title":
		return true
	}
	return false
}

// isVoid reports whether a tag never has content or an end tag.
func isVoid(name string) bool {
	switch name {
	case "area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source", "track", "wbr":
		return true
	}
	return false
}

type tokenizer struct {
	src string
	pos int
	raw string // inside a raw-text element: its name
	// arena backs the attributes of every token: one growing slice per
	// document instead of one allocation per tag (a third of the
	// tokenizer's cost in a campaign). Each token's attrs is capped at its
	// own length, so later appends never overwrite an earlier token's.
	arena []attr
}

func newTokenizer(src string) *tokenizer {
	return &tokenizer{src: src, arena: make([]attr, 0, 16+len(src)/64)}
}

func (z *tokenizer) next() (token, bool) {
	if z.pos >= len(z.src) {
		return token{}, false
	}
	start := z.pos
	if z.raw != "" {
		end := indexFold(z.src[start:], "</"+z.raw)
		name := z.raw
		z.raw = ""
		if end < 0 {
			z.pos = len(z.src)
			return token{kind: tokText, start: start, end: z.pos, text: z.src[start:], name: name}, true
		}
		if end > 0 {
			z.pos = start + end
			return token{kind: tokText, start: start, end: z.pos, text: z.src[start:z.pos], name: name}, true
		}
	}
	if z.src[start] == '<' {
		if t, ok := z.markup(start); ok {
			return t, true
		}
	}
	// Text runs to the next '<' that may open markup.
	i := start + 1
	for i < len(z.src) {
		j := strings.IndexByte(z.src[i:], '<')
		if j < 0 {
			i = len(z.src)
			break
		}
		i += j
		if i+1 < len(z.src) && (isLetter(z.src[i+1]) || z.src[i+1] == '/' || z.src[i+1] == '!' || z.src[i+1] == '?') {
			break
		}
		i++
	}
	z.pos = i
	return token{kind: tokText, start: start, end: i, text: z.src[start:i]}, true
}

// markup scans the tag, comment or declaration at start; ok is false when the
// '<' turns out to be plain text.
func (z *tokenizer) markup(start int) (token, bool) {
	s := z.src
	rest := s[start:]
	switch {
	case strings.HasPrefix(rest, "<!--"):
		end := strings.Index(rest[4:], "-->")
		if end < 0 {
			z.pos = len(s)
			return token{kind: tokComment, start: start, end: z.pos, text: rest[4:], unclosed: true}, true
		}
		z.pos = start + 4 + end + 3
		return token{kind: tokComment, start: start, end: z.pos, text: rest[4 : 4+end]}, true
	case strings.HasPrefix(rest, "<!") || strings.HasPrefix(rest, "<?"):
		end := strings.IndexByte(rest, '>')
		if end < 0 {
			end = len(rest) - 1
		}
		z.pos = start + end + 1
		return token{kind: tokDecl, start: start, end: z.pos, text: rest[:end+1]}, true
	case strings.HasPrefix(rest, "</") && len(rest) > 2 && isLetter(rest[2]):
		i := 2
		for i < len(rest) && !isSpace(rest[i]) && rest[i] != '>' && rest[i] != '/' {
			i++
		}
		name := strings.ToLower(rest[2:i])
		end := strings.IndexByte(rest[i:], '>')
		if end < 0 {
			z.pos = len(s)
		} else {
			z.pos = start + i + end + 1
		}
		return token{kind: tokEnd, name: name, start: start, end: z.pos}, true
	case len(rest) > 1 && isLetter(rest[1]):
		return z.startTag(start), true
	}
	return token{}, false
}

func (z *tokenizer) startTag(start int) token {
	s := z.src
	i := start + 1
	for i < len(s) && !isSpace(s[i]) && s[i] != '>' && s[i] != '/' {
		i++
	}
	t := token{kind: tokStart, name: strings.ToLower(s[start+1 : i]), start: start}
	first := len(z.arena)
	for i < len(s) {
		for i < len(s) && isSpace(s[i]) {
			i++
		}
		if i >= len(s) {
			break
		}
		if s[i] == '>' {
			i++
			break
		}
		if s[i] == '/' {
			if i+1 < len(s) && s[i+1] == '>' {
				t.selfClosing = true
				i += 2
				break
			}
			i++
			continue
		}
		ns := i
		for i < len(s) && !isSpace(s[i]) && s[i] != '=' && s[i] != '>' && !(s[i] == '/' && i+1 < len(s) && s[i+1] == '>') {
			i++
		}
		a := attr{name: strings.ToLower(s[ns:i]), valStart: -1, valEnd: -1}
		j := i
		for j < len(s) && isSpace(s[j]) {
			j++
		}
		if j < len(s) && s[j] == '=' {
			j++
			for j < len(s) && isSpace(s[j]) {
				j++
			}
			if j < len(s) && (s[j] == '"' || s[j] == '\'') {
				q := s[j]
				end := strings.IndexByte(s[j+1:], q)
				if end < 0 {
					end = len(s) - j - 1
				}
				a.valStart, a.valEnd, a.quoted = j+1, j+1+end, true
				i = min(j+1+end+1, len(s))
			} else {
				k := j
				for k < len(s) && !isSpace(s[k]) && s[k] != '>' {
					k++
				}
				a.valStart, a.valEnd = j, k
				i = k
			}
			a.val = s[a.valStart:a.valEnd]
		}
		if a.name != "" {
			z.arena = append(z.arena, a)
		} else if i == ns {
			i++ // a stray character that cannot start a name: skip it
		}
	}
	if n := len(z.arena); n > first {
		t.attrs = z.arena[first:n:n]
	}
	z.pos = i
	t.end = i
	if isRawText(t.name) && !t.selfClosing {
		z.raw = t.name
	}
	return t
}

func isLetter(c byte) bool { return c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' }

func isSpace(c byte) bool { return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' }

// indexFold is strings.Index, ASCII case-insensitive in sub.
func indexFold(s, sub string) int {
	n := len(sub)
	for i := 0; i+n <= len(s); i++ {
		if strings.EqualFold(s[i:i+n], sub) {
			return i
		}
	}
	return -1
}

// hidden reports whether a start tag's inline style hides it, as the
// preheader does; such content is not meant to be read.
func hidden(t token) bool { return styleHas(t, "display:none") }

// styleHas reports whether a start tag's inline style contains decl
// (written without spaces, lower case).
func styleHas(t token, decl string) bool {
	style := strings.ToLower(t.attrValue("style"))
	style = strings.Join(strings.Fields(style), "")
	return strings.Contains(style, decl)
}
