package sms

import "strings"

// Keyword actions of an inbound reply.
const (
	KeywordNone  = ""
	KeywordStop  = "stop"
	KeywordStart = "start"
)

// stopWords are the replies that withdraw SMS consent: the CTIA/Twilio
// set in English and the Polish ones shops print in their texts ("Aby
// zrezygnować, odpisz STOP lub NIE").
var stopWords = map[string]bool{
	"STOP": true, "STOPALL": true, "UNSUBSCRIBE": true, "CANCEL": true, "END": true, "QUIT": true, "REVOKE": true,
	"OPTOUT": true, "OPT OUT": true, "STOP ALL": true,
	"NIE": true, "WYPISZ": true, "REZYGNUJE": true, "REZYGNACJA": true, "KONIEC": true, "ANULUJ": true,
}

// startWords re-subscribe, where the rules allow it (StartAllowed).
var startWords = map[string]bool{"START": true, "UNSTOP": true, "YES": true}

// Keyword reads a reply as the carriers do: the whole message, whatever
// its case, spaces and closing punctuation, is one keyword; a sentence
// that merely contains "stop" is not one. Polish letters are folded, so
// "Rezygnuję" is REZYGNUJE.
func Keyword(text string) string {
	k := strings.ToUpper(strings.Join(strings.Fields(Transliterate(text)), " "))
	k = strings.TrimRight(k, ".!?,;: ")
	k = strings.TrimLeft(k, "\"'")
	k = strings.TrimRight(k, "\"'")
	switch {
	case stopWords[k]:
		return KeywordStop
	case startWords[k]:
		return KeywordStart
	}
	return KeywordNone
}

// StartAllowed says whether a START reply may grant SMS consent. In the
// US and Canada (TCPA, CTIA) a START from the number is itself the
// opt-in. Elsewhere, under the GDPR and the Polish telecom law, consent to
// marketing texts must be given knowingly for this shop, which a one-word
// reply does not prove: START only undoes the person's own STOP (their
// consent was withdrawn by an SMS keyword), and never creates consent
// that was not given before.
func StartAllowed(country string, withdrawnByKeyword bool) bool {
	if c, ok := countries[country]; ok && c.keywordIn {
		return true
	}
	return withdrawnByKeyword
}
