package bundle

import (
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"net/url"
	"strings"
)

// inlineSourceMap rewrites esbuild's source map for goja and returns it
// base64-encoded. It renames the sources to the names goja should report
// (see sourceMapName) and shifts the mappings (see shiftMappings), down by
// linesAbove lines put above esbuild's program.
func inlineSourceMap(data []byte, linesAbove int) (string, error) {
	var m map[string]json.RawMessage
	if err := json.Unmarshal(data, &m); err != nil {
		return "", fmt.Errorf("bundle: read esbuild's source map: %w", err)
	}
	var sources []string
	if err := json.Unmarshal(m["sources"], &sources); err != nil {
		return "", fmt.Errorf("bundle: read esbuild's source map sources: %w", err)
	}
	for i, s := range sources {
		sources[i] = sourceMapName(s)
	}
	var mappings string
	if err := json.Unmarshal(m["mappings"], &mappings); err != nil {
		return "", fmt.Errorf("bundle: read esbuild's source map mappings: %w", err)
	}
	shifted, err := shiftMappings(mappings)
	if err != nil {
		return "", fmt.Errorf("bundle: esbuild's source map: %w", err)
	}
	// Each ";" is a generated line without mappings.
	shifted = strings.Repeat(";", linesAbove) + shifted
	for key, value := range map[string]any{"sources": sources, "mappings": shifted} {
		if m[key], err = json.Marshal(value); err != nil {
			return "", fmt.Errorf("bundle: write source map %s: %w", key, err)
		}
	}
	out, err := json.Marshal(m)
	if err != nil {
		return "", fmt.Errorf("bundle: write source map: %w", err)
	}
	return base64.StdEncoding.EncodeToString(out), nil
}

// sourceMapName turns an esbuild source name into the one goja reports.
// goja treats source names as URLs, so a tenant path is written as a
// relative URL (escaping "#", "?", spaces and a colon that would read as a
// scheme) for it to come back as the same URL, which Bundle.Position turns
// back into the path.
func sourceMapName(source string) string {
	if rel, ok := strings.CutPrefix(source, tenantNamespace+":"); ok {
		u := url.URL{Path: rel}
		return u.String()
	}
	if strings.HasPrefix(source, sdkNamespace+":") {
		return SDKFile
	}
	return source
}

// shiftMappings adds one to every generated column and to every source
// column of a source map's mappings.
//
// goja (as of v0.0.0-20260917) looks a position up in the source map with
// its 1-based column where the map's columns are 0-based, so without the
// first shift it would find the mapping of the next token whenever one
// starts right after the position; it then reports the map's 0-based source
// column, which the second shift makes the 1-based column compilers print.
// Generated columns restart from zero on every line, so shifting the first
// segment of each line shifts the whole line; source columns are relative
// to the previous segment across the whole map, so shifting the first
// segment that has one shifts them all. TestExceptionPositions fails if
// goja changes its arithmetic.
func shiftMappings(mappings string) (string, error) {
	var out strings.Builder
	out.Grow(len(mappings) + strings.Count(mappings, ";") + 2)
	sourceColumnShifted := false
	for i, line := range strings.Split(mappings, ";") {
		if i > 0 {
			out.WriteByte(';')
		}
		for j, segment := range strings.Split(line, ",") {
			if j > 0 {
				out.WriteByte(',')
			}
			fields, err := decodeSegment(segment)
			if err != nil {
				return "", fmt.Errorf("mappings line %d: %w", i+1, err)
			}
			changed := false
			if j == 0 && len(fields) > 0 {
				fields[0]++
				changed = true
			}
			if !sourceColumnShifted && len(fields) >= 4 {
				fields[3]++
				sourceColumnShifted = true
				changed = true
			}
			if !changed {
				out.WriteString(segment)
				continue
			}
			for _, f := range fields {
				appendVLQ(&out, f)
			}
		}
	}
	return out.String(), nil
}

const base64Digits = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/"

// decodeSegment decodes the base64 VLQ fields of one mapping segment.
func decodeSegment(segment string) ([]int, error) {
	var fields []int
	value, shift := 0, 0
	for k := 0; k < len(segment); k++ {
		digit := strings.IndexByte(base64Digits, segment[k])
		if digit < 0 {
			return nil, fmt.Errorf("invalid base64 VLQ digit %q", segment[k])
		}
		if shift > 30 {
			return nil, errors.New("base64 VLQ value too large")
		}
		value |= (digit & 31) << shift
		shift += 5
		if digit&32 != 0 {
			continue
		}
		if value&1 != 0 {
			fields = append(fields, -(value >> 1))
		} else {
			fields = append(fields, value>>1)
		}
		value, shift = 0, 0
	}
	if shift != 0 {
		return nil, errors.New("truncated base64 VLQ value")
	}
	return fields, nil
}

// appendVLQ writes v as a base64 VLQ value.
func appendVLQ(out *strings.Builder, v int) {
	u := v << 1
	if v < 0 {
		u = (-v)<<1 | 1
	}
	for {
		digit := u & 31
		u >>= 5
		if u > 0 {
			digit |= 32
		}
		out.WriteByte(base64Digits[digit])
		if u == 0 {
			return
		}
	}
}
