package logbuf

import (
	"bytes"
	"fmt"
	"log/slog"
	"strings"
	"testing"
)

func TestRecentNewestFirstAndBounded(t *testing.T) {
	var out bytes.Buffer
	b := New(3, 10)
	log := slog.New(b.Handler(slog.NewJSONHandler(&out, nil)))
	acme := log.With("tenant", "acme", "version", "v1")
	for i := 1; i <= 5; i++ {
		acme.Info(fmt.Sprintf("line %d", i), "n", i)
	}
	log.Info("about beta", "tenant", "beta")
	log.Info("about nobody")

	got := b.Recent("acme", 10)
	if len(got) != 3 || got[0].Message != "line 5" || got[2].Message != "line 3" {
		t.Fatalf("acme: %+v", got)
	}
	if got[0].Attrs["version"] != "v1" || got[0].Attrs["n"] != int64(5) {
		t.Errorf("attrs %v", got[0].Attrs)
	}
	if _, ok := got[0].Attrs["tenant"]; ok {
		t.Error("the tenant attribute is repeated in the filed line")
	}
	if got := b.Recent("acme", 1); len(got) != 1 || got[0].Message != "line 5" {
		t.Errorf("limit 1: %+v", got)
	}
	if got := b.Recent("beta", 10); len(got) != 1 || got[0].Message != "about beta" {
		t.Errorf("beta: %+v", got)
	}
	if got := b.Recent("nobody", 10); len(got) != 0 {
		t.Errorf("unknown tenant: %+v", got)
	}
	if n := strings.Count(out.String(), "\n"); n != 7 {
		t.Errorf("%d lines passed on, want all 7", n)
	}
}

func TestTenantsBounded(t *testing.T) {
	b := New(2, 2)
	log := slog.New(b.Handler(slog.DiscardHandler))
	for _, id := range []string{"a", "b", "c"} {
		log.Info("x", "tenant", id)
	}
	if len(b.Recent("a", 5)) != 0 || len(b.Recent("c", 5)) != 1 {
		t.Error("the least recent tenant's ring was not dropped")
	}
}
