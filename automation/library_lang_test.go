package automation

import (
	"regexp"
	"strings"
	"testing"

	"github.com/cartwheelhq/cartwheel/messaging/email"
	"github.com/cartwheelhq/cartwheel/messaging/l10n"
)

// Every language has every ready-made text and every email body.
func TestLibraryTextsComplete(t *testing.T) {
	t.Parallel()
	for lang, texts := range libraryTexts {
		for k := range libraryTexts[l10n.English] {
			if _, ok := texts[k]; !ok {
				t.Errorf("%s: no text %q", lang, k)
			}
		}
		if lang == l10n.English {
			continue
		}
		files, _ := library.ReadDir("library")
		for _, f := range files {
			if f.IsDir() {
				continue
			}
			if _, err := library.ReadFile("library/" + string(lang) + "/" + f.Name()); err != nil {
				t.Errorf("%s: no body %s", lang, f.Name())
			}
		}
	}
}

// noName catches greetings that address nobody: "Hi there", "…, there!",
// "friend", or a comma left dangling ("Hi ,", "We miss you, </h1>").
var noName = regexp.MustCompile(`(?i)\bthere\b[,!]|\bfriend\b|, ?!|, ?</h1>|\S ,|Cześć !`)

// Every ready-made email greets a contact whose name is known by it, and
// one without a name sensibly, in both languages.
func TestLibraryGreetings(t *testing.T) {
	t.Parallel()
	for _, lang := range []l10n.Lang{l10n.English, l10n.Polish} {
		for _, tpl := range templates {
			f := tpl.build(libLang{lang})
			for _, s := range f.Steps {
				if s.Kind != KindSendEmail {
					continue
				}
				p := s.Params
				c, err := email.Parse(email.Template{Subject: p["subject"].(string), Preheader: p["preheader"].(string), HTML: p["html"].(string)})
				if err != nil {
					t.Fatal(err)
				}
				for _, name := range []string{"Zofia", ""} {
					out, err := c.Render(email.Data{Contact: email.Contact{FirstName: name},
						Shop:  email.Shop{Name: "Sklep", URL: "https://shop.example", Currency: "PLN", Locale: string(lang)},
						Links: email.Links{Unsubscribe: "https://x.example/u", Recovery: "https://shop.example/r"}})
					if err != nil {
						t.Fatal(err)
					}
					all := out.Subject + "\n" + out.HTML
					if m := noName.FindString(all); m != "" {
						t.Errorf("%s %s %s (name %q) says %q", lang, tpl.Name, s.ID, name, m)
					}
					if name != "" && strings.Contains(p["html"].(string)+p["subject"].(string), "FirstName") && !strings.Contains(all, name) {
						t.Errorf("%s %s %s does not greet %s by name", lang, tpl.Name, s.ID, name)
					}
					if lang == l10n.Polish && regexp.MustCompile(`\b(Hi|Hello|Your basket|Complete your order)\b`).MatchString(all) {
						t.Errorf("%s %s: English in the Polish email: %s", tpl.Name, s.ID, out.Subject)
					}
				}
			}
		}
	}
}
