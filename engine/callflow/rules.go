package callflow

import (
	"net/url"
	"strconv"
	"strings"
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

// suggest returns the name among candidates that key most likely misspells,
// or "". A candidate matches when it differs only in case or by at most
// two edits (one for short names); aliases maps lower-case names used
// elsewhere to the name meant here.
func suggest(key string, candidates []string, aliases map[string]string) string {
	lower := strings.ToLower(key)
	for _, c := range candidates {
		if strings.ToLower(c) == lower && c != key {
			return c
		}
	}
	if a, ok := aliases[lower]; ok {
		return a
	}
	best, bestDist := "", 3
	if len(key) < 5 {
		bestDist = 2
	}
	for _, c := range candidates {
		if d := editDistance(lower, strings.ToLower(c), bestDist); d < bestDist && d > 0 {
			best, bestDist = c, d
		}
	}
	return best
}

// editDistance is the Levenshtein distance of a and b, or limit when it is
// at least limit.
func editDistance(a, b string, limit int) int {
	if d := len(a) - len(b); d >= limit || -d >= limit {
		return limit
	}
	prev := make([]int, len(b)+1)
	cur := make([]int, len(b)+1)
	for j := range prev {
		prev[j] = j
	}
	for i := 1; i <= len(a); i++ {
		cur[0] = i
		rowMin := cur[0]
		for j := 1; j <= len(b); j++ {
			cost := 1
			if a[i-1] == b[j-1] {
				cost = 0
			}
			cur[j] = min(prev[j]+1, cur[j-1]+1, prev[j-1]+cost)
			rowMin = min(rowMin, cur[j])
		}
		if rowMin >= limit {
			return limit
		}
		prev, cur = cur, prev
	}
	return min(prev[len(b)], limit)
}
