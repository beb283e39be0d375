package sdk

import (
	"regexp"
	"slices"
	"testing"
)

// TestDialogsKnowTheCaptureOptions: the dialog helpers (JavaScript) check a capture setting
// against the sayAndCapture options, which the builder (Go) defines.
func TestDialogsKnowTheCaptureOptions(t *testing.T) {
	m := regexp.MustCompile(`(?s)const SAY_AND_CAPTURE_OPTIONS = \[(.*?)\];`).FindStringSubmatch(ModuleSource)
	if m == nil {
		t.Fatal("callscript.js has no SAY_AND_CAPTURE_OPTIONS")
	}
	var inJS []string
	for _, q := range regexp.MustCompile(`"(\w+)"`).FindAllStringSubmatch(m[1], -1) {
		inJS = append(inJS, q[1])
	}
	if !slices.Equal(inJS, sayAndCaptureOptions) {
		t.Errorf("callscript.js lists the sayAndCapture options %v, builders.go %v", inJS, sayAndCaptureOptions)
	}
}
