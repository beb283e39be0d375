// Package tenant validates tenant ids and reads a tenant's settings file, tenant.json.
//
// A tenant is one 8x8 sub-account: its id is the subAccountId and names its folder of scripts.
// ValidateID must accept an id before the id is used to touch any file. ParseSettings turns
// the bytes of tenant.json into Settings, refusing anything it does not understand with an
// error that names the key and its line and column.
package tenant

import (
	"errors"
	"fmt"
	"strings"
	"unicode/utf8"
)

// DefaultID is the tenant that serves every subAccountId without a folder of its own.
const DefaultID = "_default"

// Bounds of a tenant id's length, 8x8's own rule for a subAccountId.
const (
	MinIDLength = 3
	MaxIDLength = 50
)

// ErrInvalidID is wrapped by every error ValidateID returns.
var ErrInvalidID = errors.New("invalid tenant id")

// ValidateID reports whether id can name a tenant: 3 to 50 characters among the letters A-Z
// and a-z, the digits and . _ & - (8x8's pattern for a subAccountId), not starting with "."
// and not containing "..". The error wraps ErrInvalidID and says what is wrong in words.
//
// The last rule goes beyond 8x8's pattern: the id becomes a folder name, and refusing ".."
// anywhere keeps it from ever reading as a path step up, whatever code joins it later.
func ValidateID(id string) error {
	if n := utf8.RuneCountInString(id); n < MinIDLength || n > MaxIDLength {
		if n == 0 {
			return idErrorf("tenant id is empty; it must be %d to %d characters long", MinIDLength, MaxIDLength)
		}
		return idErrorf("tenant id %s must be %d to %d characters long, not %d", quoteID(id), MinIDLength, MaxIDLength, n)
	}
	for i := 0; i < len(id); i++ {
		if !isIDByte(id[i]) {
			note := ""
			if id[i] == '/' || id[i] == '\\' {
				note = " (a tenant id is a folder name, not a path)"
			}
			return idErrorf("tenant id %s contains %s at position %d%s; a tenant id is made of letters A-Z and a-z, digits, and . _ & -",
				quoteID(id), describeChar(id[i:]), utf8.RuneCountInString(id[:i])+1, note)
		}
	}
	if id[0] == '.' {
		return idErrorf("tenant id %s must not start with \".\"", quoteID(id))
	}
	if strings.Contains(id, "..") {
		return idErrorf("tenant id %s must not contain \"..\"", quoteID(id))
	}
	return nil
}

// idError is an error of ValidateID: its message, wrapping ErrInvalidID.
type idError struct{ msg string }

func idErrorf(format string, args ...any) error {
	return &idError{msg: fmt.Sprintf(format, args...)}
}

func (e *idError) Error() string { return e.msg }
func (e *idError) Unwrap() error { return ErrInvalidID }

func isIDByte(c byte) bool {
	return c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' ||
		c == '.' || c == '_' || c == '&' || c == '-'
}

// quoteID quotes an id for an error message, shortened: the id may be anything a client sent.
func quoteID(id string) string {
	const max = 60
	if len(id) > max {
		cut := max
		for cut > 0 && !utf8.RuneStart(id[cut]) {
			cut--
		}
		return fmt.Sprintf("%q…", id[:cut])
	}
	return fmt.Sprintf("%q", id)
}

// describeChar names the first character of s for an error message.
func describeChar(s string) string {
	r, size := utf8.DecodeRuneInString(s)
	switch {
	case r == utf8.RuneError && size <= 1:
		return fmt.Sprintf("the byte 0x%02X (not UTF-8)", s[0])
	case r < 0x20 || r == 0x7f:
		return fmt.Sprintf("the control character U+%04X", r)
	case r >= utf8.RuneSelf:
		return fmt.Sprintf("%q (U+%04X)", r, r)
	}
	return fmt.Sprintf("%q", r)
}
