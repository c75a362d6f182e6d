package email

import "testing"

func TestHTMLToText(t *testing.T) {
	cases := []struct{ name, in, want string }{
		{"links", `<p>Read <a href="https://a.example/x?a=1&amp;b=2">our   guide</a> now.</p>`,
			"Read our guide (https://a.example/x?a=1&b=2) now."},
		{"bare and mailto links", `<a href="https://a.example">https://a.example</a> <a href="mailto:hi@a.example">hi@a.example</a> <a href="mailto:hi@a.example">Write us</a> <a href="#top">top</a>`,
			"https://a.example hi@a.example Write us (mailto:hi@a.example) top"},
		{"image link", `<a href="https://a.example/p"><img src="p.png" alt=""></a>`, "https://a.example/p"},
		{"image alt", `<p><img src="logo.png" alt="Acme"> sale</p>`, "Acme sale"},
		{"headings", "<h1>Big &amp; bold</h1><p>body</p><h2>Café</h2>", "BIG & BOLD\n\nbody\n\nCAFÉ"},
		{"table rows and cells", `<table><tr><td>Mug</td><td>2</td><td>€25.00</td></tr><tr><td>Pot</td><td>1</td><td>€39.99</td></tr></table><p>after</p>`,
			"Mug 2 €25.00\nPot 1 €39.99\n\nafter"},
		{"nested layout tables", `<table><tr><td><table><tr><td>a</td></tr></table></td></tr><tr><td>b</td></tr></table>`, "a\n\nb"},
		{"entities and whitespace", "<p>  Tom&nbsp;&amp;&#160;Jerry\n\n\t&lt;3  &#x263A; </p>", "Tom & Jerry <3 ☺"},
		{"invisible content", `<html><head><title>T</title><style>p{color:red}</style></head><body><div style="display: none">preheader</div><script>alert(1)</script><p>seen</p></body></html>`, "seen"},
		{"lists", "<ul><li>one</li><li>two <b>bold</b></li></ul>", "- one\n- two bold"},
		{"br and hr", "a<br>b<br/>c<hr>d", "a\nb\nc\n----\nd"},
		{"display block spans", `<td><span style="display:block">10% off</span><span style="display:block">CODE</span></td>`, "10% off\nCODE"},
		{"pre", "<pre>a\n  b</pre><p>c</p>", "a\n  b\n\nc"},
		{"comments and tags gone", "<!-- x --><p>a<b>b</b>c</p><!--[if mso]>o<![endif]-->", "abc"},
		{"stray less-than", "<p>1 < 2 and 3 > 2</p>", "1 < 2 and 3 > 2"},
		{"zero-width padding", "<p>a\u200c\u034f\ufeff b</p>", "a b"},
	}
	for _, tc := range cases {
		if got := HTMLToText(tc.in); got != tc.want {
			t.Errorf("%s:\n got %q\nwant %q", tc.name, got, tc.want)
		}
	}
}
