package email

import (
	"errors"
	"reflect"
	"strings"
	"testing"
)

func TestListUnsubscribeHeaders(t *testing.T) {
	cases := []struct {
		url, mailto string
		want        map[string]string
	}{
		{"https://shop.example/u/tok", "unsubscribe@shop.example", map[string]string{
			"List-Unsubscribe":      "<https://shop.example/u/tok>, <mailto:unsubscribe@shop.example>",
			"List-Unsubscribe-Post": "List-Unsubscribe=One-Click",
		}},
		{"https://shop.example/u/tok", "", map[string]string{
			"List-Unsubscribe":      "<https://shop.example/u/tok>",
			"List-Unsubscribe-Post": "List-Unsubscribe=One-Click",
		}},
		// RFC 8058 one-click needs HTTPS; plain http gets no Post header.
		{"http://localhost:8080/u/tok", "mailto:u@shop.example?subject=unsubscribe", map[string]string{
			"List-Unsubscribe": "<http://localhost:8080/u/tok>, <mailto:u@shop.example?subject=unsubscribe>",
		}},
		{"", "u@shop.example", map[string]string{"List-Unsubscribe": "<mailto:u@shop.example>"}},
		{"", "", map[string]string{}},
	}
	for _, tc := range cases {
		if got := ListUnsubscribeHeaders(tc.url, tc.mailto); !reflect.DeepEqual(got, tc.want) {
			t.Errorf("ListUnsubscribeHeaders(%q, %q) = %v, want %v", tc.url, tc.mailto, got, tc.want)
		}
	}
}

func TestUnsubscribeToken(t *testing.T) {
	sign, verify := testSigner("unsub key")
	for _, ids := range [][3]string{
		{"ws_1", "ct_2", "msg_3"},
		{"ws_1", "ct_2", ""},
		{"w|s.1", "c\x00t", "m/s g"}, // separators and odd bytes do not confuse the layout
	} {
		tok := UnsubscribeToken(sign, ids[0], ids[1], ids[2])
		if strings.ContainsAny(tok, "/+=?&# ") {
			t.Errorf("token %q is not URL-safe", tok)
		}
		got, err := ParseUnsubscribeToken(verify, tok)
		want := UnsubscribeInfo{WorkspaceID: ids[0], ContactID: ids[1], MessageID: ids[2]}
		if err != nil || got != want {
			t.Errorf("round trip %q: %+v, %v; want %+v", ids, got, err, want)
		}
	}

	tok := UnsubscribeToken(sign, "ws_1", "ct_2", "msg_3")
	payload, sig, _ := strings.Cut(tok, ".")
	other := UnsubscribeToken(sign, "ws_1", "ct_9", "msg_3")
	otherPayload, _, _ := strings.Cut(other, ".")
	foreignSign, _ := testSigner("another key")
	for name, bad := range map[string]string{
		"payload swapped":     otherPayload + "." + sig,
		"signature altered":   payload + "." + strings.ToUpper(sig[:4]) + sig[4:],
		"signed with another": UnsubscribeToken(foreignSign, "ws_1", "ct_2", "msg_3"),
		"no signature":        payload + ".",
	} {
		if _, err := ParseUnsubscribeToken(verify, bad); err == nil {
			t.Errorf("%s: accepted", name)
		}
	}
	if _, err := ParseUnsubscribeToken(verify, otherPayload+"."+sig); !errors.Is(err, ErrBadSignature) {
		t.Errorf("swapped payload: err = %v, want ErrBadSignature", err)
	}
	for _, junk := range []string{"", "nodot", "!!!.sig", "."} {
		if _, err := ParseUnsubscribeToken(verify, junk); !errors.Is(err, ErrBadToken) {
			t.Errorf("ParseUnsubscribeToken(%q): err = %v, want ErrBadToken", junk, err)
		}
	}
}
