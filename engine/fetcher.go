package engine

import (
	"context"
	"errors"

	"github.com/callscript/callscript/engine/fetch"
	"github.com/callscript/callscript/engine/metrics"
)

// countingFetcher performs a tenant's fetches under its policy and counts them by result.
type countingFetcher struct {
	policy  *fetch.Tenant
	tenant  string
	metrics *metrics.Metrics
}

func (f *countingFetcher) Fetch(ctx context.Context, req *fetch.Request) (*fetch.Response, error) {
	resp, err := f.policy.Fetch(ctx, req)
	result := "ok"
	switch {
	case err == nil:
	case errors.Is(err, fetch.ErrNotAllowed):
		result = "refused"
	case errors.Is(err, fetch.ErrTimeout), errors.Is(err, context.DeadlineExceeded):
		result = "timeout"
	case errors.Is(err, fetch.ErrTooLarge):
		result = "too-large"
	default:
		result = "error"
	}
	f.metrics.Fetches.WithLabelValues(f.tenant, result).Inc()
	return resp, err
}

// MaxRequests is the tenant's cap of fetch calls per event.
func (f *countingFetcher) MaxRequests() int { return f.policy.MaxRequests() }
