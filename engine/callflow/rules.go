package callflow

import (
	"net/url"
	"strconv"
	"strings"

	"github.com/callscript/callscript/engine/internal/suggest"
)

// checkE164 returns what is wrong with a makeCall phone number, or "".
// E.164: an optional leading +, then 2 to 15 digits, the first of which
// (a country code's) is never 0.
func checkE164(s string) string {
	const rule = `must be a phone number in E.164 format such as "+6560000001" (an optional +, then 2 to 15 digits, the first not 0)`
	digits := strings.TrimPrefix(s, "+")
	if digits == "" {
		return rule + ", got " + quoteShort(s)
	}
	for i := 0; i < len(digits); i++ {
		if c := digits[i]; c < '0' || c > '9' {
			if strings.ContainsAny(s, " -().") {
				return rule + "; remove the spaces, dashes, dots and parentheses from " + quoteShort(s)
			}
			return rule + ", got " + quoteShort(s)
		}
	}
	switch {
	case len(digits) < 2 || len(digits) > 15:
		return rule + ", got " + quoteShort(s) + " with " + strconv.Itoa(len(digits)) + " digits"
	case digits[0] == '0':
		return rule + `; write the number in international form without the trunk prefix 0, got ` + quoteShort(s)
	}
	return ""
}

// checkFileURL returns what is wrong with a playFile fileUrl, or "". 8x8
// downloads the file itself, so the URL must be absolute, http or https,
// and name a host. Its extension is not checked: signed and generated URLs
// often have none.
func checkFileURL(s string) string {
	const rule = "must be an absolute http or https URL of an mp3 or wav file"
	if strings.ContainsAny(s, " \t\r\n") {
		return rule + "; encode spaces as %20, got " + quoteShort(s)
	}
	u, err := url.Parse(s)
	if err != nil {
		return rule + ", got " + quoteShort(s)
	}
	if scheme := strings.ToLower(u.Scheme); scheme != "http" && scheme != "https" {
		if u.Scheme == "" {
			return rule + ` (starting with "https://"), got ` + quoteShort(s)
		}
		return rule + ", got a " + u.Scheme + ": URL"
	}
	if u.Hostname() == "" {
		return rule + " with a host name, got " + quoteShort(s)
	}
	return ""
}

// didYouMean returns the name among candidates that key (which is not one
// of them) most likely misspells, or "". A candidate matches when it
// differs only in case or by at most two edits (one for short names);
// aliases maps lower-case names used elsewhere to the name meant here.
func didYouMean(key string, candidates []string, aliases map[string]string) string {
	if s := suggest.Closest(key, candidates, 0); s != "" {
		return s
	}
	if a, ok := aliases[strings.ToLower(key)]; ok {
		return a
	}
	maxDistance := 2
	if len(key) < 5 {
		maxDistance = 1
	}
	return suggest.Closest(key, candidates, maxDistance)
}
