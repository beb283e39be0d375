package suggest_test

import (
	"strings"
	"testing"

	"github.com/callscript/callscript/engine/internal/suggest"
)

func TestClosest(t *testing.T) {
	hooks := []string{"onCallReceived", "onActionCompleted", "onCallAction"}
	keys := []string{"action", "params"}
	tests := []struct {
		name       string
		candidates []string
		max        int
		want       string
	}{
		{"oncallreceived", hooks, 3, "onCallReceived"},                    // case only
		{"onCallRecieved", hooks, 3, "onCallReceived"},                    // two edits
		{"onCallActio", hooks, 3, "onCallAction"},                         // one edit beats the others
		{"onHangup", hooks, 3, ""},                                        // nothing close
		{"ACTION", keys, 0, "action"},                                     // case only, with no edits allowed
		{"acton", keys, 0, ""},                                            // an edit is too many
		{"acton", keys, 1, "action"},                                      //
		{"parms", keys, 1, "params"},                                      //
		{"xx", keys, 6, "action"},                                         // six edits from either: the first wins
		{"", nil, 3, ""},                                                  //
		{strings.Repeat("a", 100), []string{"a"}, 2, ""},                  // far too long
		{"Straße", []string{"STRASSE", "strasse", "straße"}, 0, "straße"}, // EqualFold, not an edit away
		{"spééd", []string{"speed"}, 2, "speed"},                          // edits count characters, not bytes
		{"speed\u200b", []string{"speed"}, 1, "speed"},                    // a pasted zero-width space
	}
	for _, tt := range tests {
		if got := suggest.Closest(tt.name, tt.candidates, tt.max); got != tt.want {
			t.Errorf("Closest(%q, %v, %d) = %q, want %q", tt.name, tt.candidates, tt.max, got, tt.want)
		}
	}
}

func TestClosestPrefersFewerEditsThenOrder(t *testing.T) {
	candidates := []string{"abcd", "abce", "abc"}
	if got := suggest.Closest("abcf", candidates, 2); got != "abcd" {
		t.Errorf("got %q, want the first of the candidates one edit away", got)
	}
	if got := suggest.Closest("abcF", []string{"abcx", "ABCF"}, 2); got != "ABCF" {
		t.Errorf("got %q, want the candidate equal but for case", got)
	}
}

func TestClosestFunc(t *testing.T) {
	// A third of the candidate's length, as tenant.json keys allow: "env" takes no edit, "fetch" one.
	bound := func(c string) int { return min(2, len(c)/3) }
	known := []string{"env", "fetch", "fallback"}
	tests := map[string]string{
		"ENV":     "env",
		"evn":     "",
		"fetc":    "fetch",
		"fech":    "fetch",
		"fallbak": "fallback",
		"falback": "fallback",
		"fllbk":   "",
	}
	for name, want := range tests {
		if got := suggest.ClosestFunc(name, known, bound); got != want {
			t.Errorf("ClosestFunc(%q) = %q, want %q", name, got, want)
		}
	}
}
