// Package loadgen drives a webhook server with the benchmark's load: the same event posted over
// keep-alive HTTP/1.1 connections, each request with its own eventId and sessionId, either as
// fast as the server answers (closed loop) or at a fixed offered rate (open loop).
//
// The HTTP client is a minimal one written for the purpose: the generator shares the machine's
// cores with the server it measures, so every microsecond it spends is taken from the server.
package loadgen

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"strconv"
)

// Events makes the request bodies: a template event whose payload eventId, sessionId and
// subAccountId are replaced in each request.
type Events struct {
	// parts are the template's bytes between the replaced values, and fields says which value
	// goes after each part but the last.
	parts   [][]byte
	fields  []field
	tenants []string
	prefix  string
}

type field int

const (
	fieldEventID field = iota
	fieldSessionID
	fieldTenant
)

// NewEvents prepares the bodies made from template, a webhook body whose payload carries
// eventId, sessionId and subAccountId as strings. Request n goes to tenants[n % len(tenants)];
// prefix makes the ids of one run unique against another run on the same server.
func NewEvents(template []byte, tenants []string, prefix string) (*Events, error) {
	if len(tenants) == 0 {
		return nil, errors.New("no tenant to send events to")
	}
	var ev struct {
		Payload struct {
			EventID      string `json:"eventId"`
			SessionID    string `json:"sessionId"`
			SubAccountID string `json:"subAccountId"`
		} `json:"payload"`
	}
	if err := json.Unmarshal(template, &ev); err != nil {
		return nil, fmt.Errorf("event template: %w", err)
	}
	if p := ev.Payload; p.EventID == p.SessionID || p.EventID == p.SubAccountID || p.SessionID == p.SubAccountID {
		return nil, errors.New("event template: payload.eventId, payload.sessionId and payload.subAccountId must be distinct non-empty strings")
	}
	values := map[field]string{
		fieldEventID:   ev.Payload.EventID,
		fieldSessionID: ev.Payload.SessionID,
		fieldTenant:    ev.Payload.SubAccountID,
	}
	e := &Events{tenants: tenants, prefix: prefix}
	rest := template
	for {
		// The next replaced value in the rest of the template, whichever comes first.
		at, which, width := -1, field(0), 0
		for f, v := range values {
			if v == "" {
				continue
			}
			quoted := strconv.Quote(v)
			if i := bytes.Index(rest, []byte(quoted)); i >= 0 && (at < 0 || i < at) {
				at, which, width = i, f, len(quoted)
			}
		}
		if at < 0 {
			break
		}
		e.parts = append(e.parts, rest[:at+1]) // keep the opening quote
		e.fields = append(e.fields, which)
		rest = rest[at+width-1:] // from the closing quote
		delete(values, which)
	}
	e.parts = append(e.parts, rest)
	if len(e.fields) != 3 {
		return nil, errors.New("event template: payload.eventId, payload.sessionId and payload.subAccountId must be distinct non-empty strings")
	}
	return e, nil
}

// Append appends the body of request n to dst.
func (e *Events) Append(dst []byte, n uint64) []byte {
	for i, f := range e.fields {
		dst = append(dst, e.parts[i]...)
		switch f {
		case fieldEventID:
			dst = append(dst, e.prefix...)
			dst = append(dst, "ev-"...)
			dst = strconv.AppendUint(dst, n, 10)
		case fieldSessionID:
			dst = append(dst, e.prefix...)
			dst = append(dst, "s-"...)
			dst = strconv.AppendUint(dst, n, 10)
		case fieldTenant:
			dst = append(dst, e.tenants[n%uint64(len(e.tenants))]...)
		}
	}
	return append(dst, e.parts[len(e.parts)-1]...)
}
