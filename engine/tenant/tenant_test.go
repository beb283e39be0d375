package tenant

import (
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/callscript/callscript/engine/callflow"
)

func TestValidateIDAccepts(t *testing.T) {
	for _, id := range []string{
		DefaultID, "acme_ivr", "rideshare_nm", "abc", "A&B-c.d_9", "a.b", "abc.",
		strings.Repeat("x", MaxIDLength), "000", "---", "&&&",
	} {
		if err := ValidateID(id); err != nil {
			t.Errorf("ValidateID(%q) = %v, want nil", id, err)
		}
	}
}

func TestValidateIDRefuses(t *testing.T) {
	tests := []struct {
		id, want string // want: the whole message
	}{
		{"", `tenant id is empty; it must be 3 to 50 characters long`},
		{"ab", `tenant id "ab" must be 3 to 50 characters long, not 2`},
		{strings.Repeat("a", 51), `tenant id "` + strings.Repeat("a", 51) + `" must be 3 to 50 characters long, not 51`},
		{".abc", `tenant id ".abc" must not start with "."`},
		{"...", `tenant id "..." must not start with "."`},
		{"a..b", `tenant id "a..b" must not contain ".."`},
		{"../etc", `tenant id "../etc" contains '/' at position 3 (a tenant id is a folder name, not a path); a tenant id is made of letters A-Z and a-z, digits, and . _ & -`},
		{`a\b`, `tenant id "a\\b" contains '\\' at position 2 (a tenant id is a folder name, not a path); a tenant id is made of letters A-Z and a-z, digits, and . _ & -`},
		{"acme\x00ivr", `tenant id "acme\x00ivr" contains the control character U+0000 at position 5; a tenant id is made of letters A-Z and a-z, digits, and . _ & -`},
		{"%2e%2e", `tenant id "%2e%2e" contains '%' at position 1; a tenant id is made of letters A-Z and a-z, digits, and . _ & -`},
		{"acme ivr", `tenant id "acme ivr" contains ' ' at position 5; a tenant id is made of letters A-Z and a-z, digits, and . _ & -`},
		{"café", `tenant id "café" contains 'é' (U+00E9) at position 4; a tenant id is made of letters A-Z and a-z, digits, and . _ & -`},
		{"ab\xffc", `tenant id "ab\xffc" contains the byte 0xFF (not UTF-8) at position 3; a tenant id is made of letters A-Z and a-z, digits, and . _ & -`},
		{"abc\n", `tenant id "abc\n" contains the control character U+000A at position 4; a tenant id is made of letters A-Z and a-z, digits, and . _ & -`},
		{"a" + strings.Repeat("é", 60), `tenant id "a` + strings.Repeat("é", 29) + `"… must be 3 to 50 characters long, not 61`},
		{strings.Repeat("é", 60), `tenant id "` + strings.Repeat("é", 30) + `"… must be 3 to 50 characters long, not 60`},
	}
	for _, tt := range tests {
		err := ValidateID(tt.id)
		if err == nil {
			t.Errorf("ValidateID(%q) accepted it", tt.id)
			continue
		}
		if !errors.Is(err, ErrInvalidID) {
			t.Errorf("ValidateID(%q) error does not wrap ErrInvalidID", tt.id)
		}
		if err.Error() != tt.want {
			t.Errorf("ValidateID(%q)\n got %s\nwant %s", tt.id, err, tt.want)
		}
	}
}

// The tenants the repository ships must have valid ids and settings that need no
// environment variables.
func TestBundledTenants(t *testing.T) {
	dirs, err := filepath.Glob(filepath.Join("..", "..", "scripts", "*"))
	if err != nil {
		t.Fatal(err)
	}
	if len(dirs) == 0 {
		t.Skip("no scripts folder")
	}
	for _, dir := range dirs {
		if err := ValidateID(filepath.Base(dir)); err != nil {
			t.Errorf("%s: %v", dir, err)
		}
		data, err := os.ReadFile(filepath.Join(dir, "tenant.json"))
		if errors.Is(err, fs.ErrNotExist) {
			continue
		}
		if err != nil {
			t.Fatal(err)
		}
		s, err := ParseSettings(data, nil)
		if err != nil {
			t.Errorf("%s/tenant.json: %v", dir, err)
			continue
		}
		if s.Fallback != nil {
			if _, err := callflow.Parse(s.Fallback, callflow.Defaults(s.Defaults)); err != nil {
				t.Errorf("%s/tenant.json: fallback: %v", dir, err)
			}
		}
	}
}
