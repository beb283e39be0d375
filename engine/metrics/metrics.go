// Package metrics defines the engine's Prometheus metrics. Every per-tenant series carries a
// "tenant" label whose values are bounded by the tenant folders present: an event for an
// unknown subAccountId served by _default is counted under "_default", never under the id it
// claimed, so a flood of made-up ids cannot grow the series.
package metrics

import (
	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
)

// Outcomes of a webhook.
const (
	OutcomeAnswered = "answered" // the script's own answer
	OutcomeFallback = "fallback" // a fallback; the reason label says why
	OutcomeRejected = "rejected" // refused before any script ran (the reason label is the error code)
	OutcomeReplayed = "replayed" // a duplicate answered from memory
)

// Metrics are the engine's collectors. The zero value is not usable: use New.
type Metrics struct {
	Webhooks       *prometheus.CounterVec   // tenant, event_type, outcome, reason
	Duration       *prometheus.HistogramVec // tenant, event_type: handler time
	PoolWait       *prometheus.HistogramVec // tenant: time waiting for a runtime slot
	Interrupts     *prometheus.CounterVec   // tenant, reason: runtimes interrupted and discarded
	Reloads        *prometheus.CounterVec   // tenant, result: ok / error
	Version        *prometheus.GaugeVec     // tenant, version: 1 for the serving version
	Replays        *prometheus.CounterVec   // tenant: idempotent replays
	Fetches        *prometheus.CounterVec   // tenant, result
	StoreErrors    *prometheus.CounterVec   // operation
	ActiveRuntimes *prometheus.GaugeVec     // tenant: events running now
}

// New makes the collectors and registers them, with the Go and process collectors, on reg.
func New(reg prometheus.Registerer) *Metrics {
	m := &Metrics{
		Webhooks: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "callscript_webhooks_total", Help: "Webhooks handled, by tenant, event type and outcome (answered, fallback, rejected, replayed) and reason.",
		}, []string{"tenant", "event_type", "outcome", "reason"}),
		Duration: prometheus.NewHistogramVec(prometheus.HistogramOpts{
			Name: "callscript_handler_duration_seconds", Help: "Time from a webhook's arrival to its answer, scripts and stores included.",
			Buckets: []float64{.0005, .001, .0025, .005, .01, .025, .05, .1, .25, .5, 1, 2.5, 5},
		}, []string{"tenant", "event_type"}),
		PoolWait: prometheus.NewHistogramVec(prometheus.HistogramOpts{
			Name: "callscript_pool_wait_seconds", Help: "Time an event waited for one of its tenant's execution slots.",
			Buckets: []float64{.0001, .001, .005, .01, .05, .1, .25, .5, 1},
		}, []string{"tenant"}),
		Interrupts: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "callscript_interrupts_total", Help: "Scripts interrupted (deadline, memory) whose runtime was thrown away.",
		}, []string{"tenant", "reason"}),
		Reloads: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "callscript_reloads_total", Help: "Tenant builds, by result (ok, error).",
		}, []string{"tenant", "result"}),
		Version: prometheus.NewGaugeVec(prometheus.GaugeOpts{
			Name: "callscript_tenant_version_info", Help: "1 for the script version each tenant serves.",
		}, []string{"tenant", "version"}),
		Replays: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "callscript_idempotent_replays_total", Help: "Duplicate deliveries answered from memory without running the script.",
		}, []string{"tenant"}),
		Fetches: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "callscript_fetch_total", Help: "fetch calls made by scripts, by result (ok, refused, error, timeout).",
		}, []string{"tenant", "result"}),
		StoreErrors: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "callscript_store_errors_total", Help: "Session store operations that failed or timed out.",
		}, []string{"operation"}),
		ActiveRuntimes: prometheus.NewGaugeVec(prometheus.GaugeOpts{
			Name: "callscript_running_events", Help: "Events whose script is running now, by tenant.",
		}, []string{"tenant"}),
	}
	reg.MustRegister(m.Webhooks, m.Duration, m.PoolWait, m.Interrupts, m.Reloads, m.Version,
		m.Replays, m.Fetches, m.StoreErrors, m.ActiveRuntimes)
	return m
}

// NewRegistry returns a registry with the Go runtime and process collectors, ready for New.
func NewRegistry() *prometheus.Registry {
	reg := prometheus.NewRegistry()
	reg.MustRegister(collectors.NewGoCollector(), collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}))
	return reg
}

// ForgetTenant drops a tenant's series once its folder is gone.
func (m *Metrics) ForgetTenant(tenant string) {
	labels := prometheus.Labels{"tenant": tenant}
	m.Webhooks.DeletePartialMatch(labels)
	m.Duration.DeletePartialMatch(labels)
	m.PoolWait.DeletePartialMatch(labels)
	m.Interrupts.DeletePartialMatch(labels)
	m.Reloads.DeletePartialMatch(labels)
	m.Version.DeletePartialMatch(labels)
	m.Replays.DeletePartialMatch(labels)
	m.Fetches.DeletePartialMatch(labels)
	m.ActiveRuntimes.DeletePartialMatch(labels)
}
