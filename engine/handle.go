package engine

import (
	"bytes"
	"context"
	"crypto/subtle"
	"errors"
	"fmt"
	"log/slog"
	"time"

	"github.com/callscript/callscript/engine/callflow"
	"github.com/callscript/callscript/engine/logbuf"
	"github.com/callscript/callscript/engine/metrics"
	"github.com/callscript/callscript/engine/store"
	"github.com/callscript/callscript/engine/tenant"
	"github.com/callscript/callscript/engine/vm"
	"github.com/callscript/callscript/engine/webhook"
)

// Why an answer is the fallback rather than the script's own (the X-Callscript-Fallback header).
const (
	FallbackScriptError      = "script-error"      // the script threw or its promise rejected
	FallbackTimeout          = "timeout"           // the script was still running at the deadline
	FallbackNoCallflow       = "no-callflow"       // the handler returned nothing
	FallbackInvalidCallflow  = "invalid-callflow"  // the callflow broke a rule of 8x8's
	FallbackNoHandler        = "no-handler"        // the script has no hook for a CALL_ACTION
	FallbackNotLoaded        = "not-loaded"        // the tenant's folder has never built
	FallbackStoreUnavailable = "store-unavailable" // the session store did not answer in time
	FallbackOverloaded       = "overloaded"        // the tenant used its share of execution slots
	FallbackMemoryLimit      = "memory-limit"      // the memory guard stopped the script
)

// MaxSessionBytes bounds the JSON of one call's ctx.session.
const MaxSessionBytes = 64 << 10

// endedSessionTTL keeps a call's session briefly after its SESSION_SUMMARY, for the
// recording and status events that may still follow.
const endedSessionTTL = 2 * time.Minute

// emptyAnswer is the body for events whose answer 8x8 ignores.
const emptyAnswer = "{}"

// Request is one webhook delivery.
type Request struct {
	// Body is the webhook body as posted. The engine keeps it; do not modify it afterwards.
	Body []byte
	// Tenant is the tenant named by the URL, or "" to take payload.subAccountId.
	Tenant string
	// Impersonate runs the event as Tenant even when payload.subAccountId names another tenant
	// (the run command and dry runs replay one tenant's sample events against another's script);
	// otherwise such a mismatch is refused.
	Impersonate bool
	// Authorization is the credential the delivery carries (the HTTP Authorization header).
	Authorization string
	// Received is when the delivery arrived; the time budget counts from it (default: now).
	Received time.Time
	// DryRun runs the script without side effects on the engine: no idempotency lookup or
	// record, a fresh empty ctx.session that is not saved, and the log lines returned in
	// Answer.Logs (they are logged as usual too, marked dryRun).
	DryRun bool
}

// Answer is what to send back.
type Answer struct {
	// Body is the JSON to send: a validated callflow for CALL_ACTION, "{}" for other events.
	Body []byte
	// Tenant is the tenant that answered, and Version the script version ("" when none loaded).
	Tenant, Version string
	// Fallback says why the body is a fallback rather than the script's own answer ("" when it is
	// the script's own); see the Fallback… constants.
	Fallback string
	// Replayed is set when the answer was remembered from an earlier delivery of the same event.
	Replayed bool
	// Logs holds the lines the event logged, for a dry run.
	Logs []logbuf.Line
}

// ErrorKind classifies a refused request.
type ErrorKind int

// The ways a request is refused before any script runs.
const (
	KindBadRequest   ErrorKind = iota + 1 // malformed body, missing or invalid tenant
	KindUnauthorized                      // the tenant's authorization did not match
	KindNotFound                          // no such tenant and no _default
	KindUnavailable                       // the engine cannot answer now
)

// RequestError refuses a request; nothing ran and nothing changed.
type RequestError struct {
	Kind    ErrorKind
	Code    string // stable, machine-readable: "malformed_json", "unknown_tenant", …
	Message string // for a person
}

func (e *RequestError) Error() string { return e.Message }

func refuse(kind ErrorKind, code, format string, args ...any) *RequestError {
	return &RequestError{Kind: kind, Code: code, Message: fmt.Sprintf(format, args...)}
}

// Handle answers one webhook delivery. It returns a *RequestError when the delivery is refused
// (malformed, unauthorized, unknown tenant); otherwise an answer, which for a CALL_ACTION is
// always a valid callflow: the script's own, or the tenant's fallback when the script failed.
func (e *Engine) Handle(ctx context.Context, req Request) (*Answer, error) {
	if req.Received.IsZero() {
		req.Received = time.Now()
	}
	answer, folder, eventType, err := e.handle(ctx, req)
	if !req.DryRun { // a dry run is an operator's test, not traffic
		e.observe(req, answer, folder, eventType, err)
	}
	return answer, err
}

// handle is Handle; it also says which tenant folder answered (for metrics, whose tenant
// label must stay bounded by the folders present) and the event type.
func (e *Engine) handle(ctx context.Context, req Request) (answer *Answer, folder, eventType string, err error) {
	ev, err := webhook.Parse(req.Body)
	if err != nil {
		return nil, "", "", refuse(KindBadRequest, "malformed_webhook", "%v", err)
	}
	id, err := e.tenantOf(req, ev)
	if err != nil {
		return nil, "", ev.EventType, err
	}
	rel, err := e.resolve(id)
	if err != nil {
		return nil, "", ev.EventType, err
	}
	if rel == nil {
		// The folder exists but never built: answer safely, and say why.
		return e.notLoaded(id, ev), id, ev.EventType, nil
	}
	if want := rel.settings.Authorization; want != "" && !req.DryRun && // the operator's own credentials vouch for a dry run
		subtle.ConstantTimeCompare([]byte(want), []byte(req.Authorization)) != 1 {
		return nil, rel.tenant, ev.EventType, refuse(KindUnauthorized, "unauthorized", "the Authorization header does not match tenant %s's authorization setting", id)
	}
	if ev.SessionID != "" && ev.Tenant != "" && !req.DryRun {
		e.sessions.note(ev.SessionID, id)
	}
	// The script runs to its own deadline even if the caller goes away: its answer is remembered
	// for the duplicate deliveries that 8x8 may send.
	runCtx := context.WithoutCancel(ctx)
	if ev.EventID == "" || req.DryRun {
		var save *store.SessionSave
		answer, save = e.run(runCtx, req, id, rel, ev, nil)
		if save != nil {
			if err := e.saveSession(runCtx, vm.ScriptDeadline(req.Received, rel.timeout), id, save); err != nil {
				answer = e.storeFailed(id, rel, ev, ev.EventType == webhook.CallAction, err)
			}
		}
	} else {
		answer, err = e.once(ctx, runCtx, req, id, rel, ev)
		if err != nil {
			return nil, rel.tenant, ev.EventType, err
		}
	}
	if answer.Fallback == FallbackOverloaded && ev.EventType != webhook.CallAction {
		return nil, rel.tenant, ev.EventType, refuse(KindUnavailable, "overloaded", "tenant %s is running as many events as its share allows; try again", id)
	}
	return answer, rel.tenant, ev.EventType, nil
}

// observe counts a delivery in the metrics.
func (e *Engine) observe(req Request, a *Answer, folder, eventType string, err error) {
	eventType = metricEventType(eventType)
	tenantLabel := folder
	if tenantLabel == "" {
		tenantLabel = "-" // refused before a tenant folder was found
	}
	var refused *RequestError
	switch {
	case errors.As(err, &refused):
		e.metrics.Webhooks.WithLabelValues(tenantLabel, eventType, metrics.OutcomeRejected, refused.Code).Inc()
		return
	case err != nil || a == nil:
		return
	case a.Replayed:
		e.metrics.Webhooks.WithLabelValues(tenantLabel, eventType, metrics.OutcomeReplayed, "").Inc()
		e.metrics.Replays.WithLabelValues(tenantLabel).Inc()
	case a.Fallback != "":
		e.metrics.Webhooks.WithLabelValues(tenantLabel, eventType, metrics.OutcomeFallback, a.Fallback).Inc()
	default:
		e.metrics.Webhooks.WithLabelValues(tenantLabel, eventType, metrics.OutcomeAnswered, "").Inc()
	}
	e.metrics.Duration.WithLabelValues(tenantLabel, eventType).Observe(time.Since(req.Received).Seconds())
}

// metricEventType keeps the event_type label to the known types.
func metricEventType(t string) string {
	switch t {
	case webhook.CallAction, webhook.SessionSummary, webhook.CallStatus, webhook.CallRecordingStatus, webhook.VirtualNumberUpdate:
		return t
	case "":
		return "-"
	}
	return "other"
}

// once runs an event at most once across deliveries (and replicas sharing the store): the
// first delivery claims it and remembers its answer; a later one gets that answer, byte for
// byte; one arriving while the first still runs waits for it.
func (e *Engine) once(ctx, runCtx context.Context, req Request, id string, rel *release, ev *webhook.Event) (*Answer, error) {
	budget := vm.ScriptDeadline(req.Received, rel.timeout) // leaves the reserve for a fallback
	claimTTL := rel.timeout + time.Second                  // a claim outlives its run, not a crashed replica
	wait := time.Millisecond
	for {
		// The claim and the script share one deadline, and so one timer (a caller gone away does
		// not stop the event).
		eventCtx, cancel := context.WithDeadline(runCtx, budget)
		// The call's session comes with the claim: one round trip before the script.
		begun, err := e.store.BeginEvent(eventCtx, id, ev.EventID, ev.SessionID, claimTTL)
		if err != nil {
			cancel()
			e.metrics.StoreErrors.WithLabelValues("begin").Inc()
			return e.storeFailed(id, rel, ev, ev.EventType == webhook.CallAction, err), nil
		}
		switch begun.State {
		case store.Remembered:
			cancel()
			a, err := decodeAnswer(begun.Answer)
			if err != nil {
				return e.storeFailed(id, rel, ev, ev.EventType == webhook.CallAction, err), nil
			}
			a.Tenant, a.Replayed = id, true
			return a, nil
		case store.Claimed:
			a, save := e.run(eventCtx, req, id, rel, ev, &begun)
			cancel()
			finishCtx, cancel := context.WithTimeout(context.WithoutCancel(ctx), storeWriteTimeout)
			if a.Fallback == FallbackOverloaded || a.Fallback == FallbackStoreUnavailable {
				err = e.store.AbandonEvent(finishCtx, id, ev.EventID) // a retry may run it
			} else {
				// The answer and the call's session go together: one round trip after the script.
				err = e.store.FinishEvent(finishCtx, id, ev.EventID, encodeAnswer(a), e.opts.IdempotencyTTL, save)
			}
			cancel()
			if err != nil {
				e.metrics.StoreErrors.WithLabelValues("finish").Inc()
				e.logger.Error("could not remember the event's answer (and the call's session); a duplicate delivery would run it again",
					"tenant", id, "eventId", ev.EventID, "err", err)
				if save != nil { // the call's state is lost: the script's answer would not match it
					return e.storeFailed(id, rel, ev, ev.EventType == webhook.CallAction, err), nil
				}
			}
			return a, nil
		}
		cancel()
		// Busy: another delivery runs the event now and answers within its own budget.
		if time.Now().After(budget.Add(claimTTL)) {
			return nil, refuse(KindUnavailable, "duplicate_pending", "a duplicate delivery of event %s is still running", ev.EventID)
		}
		select {
		case <-time.After(wait):
		case <-ctx.Done():
			return nil, refuse(KindUnavailable, "cancelled", "the request ended while a duplicate delivery of event %s was running", ev.EventID)
		}
		wait = min(2*wait, 20*time.Millisecond)
	}
}

// storeWriteTimeout bounds remembering an answer, which happens after the answer is made.
const storeWriteTimeout = 250 * time.Millisecond

// encodeAnswer and decodeAnswer keep an answer in the store: the version, the fallback reason
// and the body, so that a replay is byte-identical and carries the same headers.
func encodeAnswer(a *Answer) []byte {
	out := make([]byte, 0, len(a.Version)+len(a.Fallback)+len(a.Body)+2)
	out = append(out, a.Version...)
	out = append(out, '\n')
	out = append(out, a.Fallback...)
	out = append(out, '\n')
	return append(out, a.Body...)
}

func decodeAnswer(data []byte) (*Answer, error) {
	version, rest, ok1 := bytes.Cut(data, []byte{'\n'})
	fallback, body, ok2 := bytes.Cut(rest, []byte{'\n'})
	if !ok1 || !ok2 {
		return nil, errors.New("a remembered answer is damaged")
	}
	return &Answer{Version: string(version), Fallback: string(fallback), Body: body}, nil
}

// tenantOf finds the tenant of a delivery: the URL's, else payload.subAccountId, else the
// tenant an earlier event of the same session named (CALL_RECORDING_STATUS carries no
// subAccountId).
func (e *Engine) tenantOf(req Request, ev *webhook.Event) (string, error) {
	id := req.Tenant
	if id != "" {
		if err := tenant.ValidateID(id); err != nil {
			return "", refuse(KindBadRequest, "invalid_tenant", "%v", err)
		}
	}
	switch {
	case id != "" && ev.Tenant != "" && ev.Tenant != id && !req.Impersonate:
		return "", refuse(KindBadRequest, "tenant_mismatch", "payload.subAccountId %q differs from the tenant %q in the URL", ev.Tenant, id)
	case id == "":
		id = ev.Tenant
	}
	if id == "" && ev.SessionID != "" {
		id = e.sessions.tenant(ev.SessionID)
	}
	if id == "" {
		return "", refuse(KindBadRequest, "missing_tenant", "the webhook names no tenant: payload.subAccountId is missing (post %s events to /webhooks/voice/{tenant})", ev.EventType)
	}
	if err := tenant.ValidateID(id); err != nil {
		return "", refuse(KindBadRequest, "invalid_tenant", "%v", err)
	}
	return id, nil
}

// resolve finds the release serving a tenant: its own folder's, else _default's. A folder that
// exists but never built resolves to a nil release.
func (e *Engine) resolve(id string) (*release, error) {
	if s := e.slot(id); s != nil {
		return s.current.Load(), nil
	}
	if s := e.slot(tenant.DefaultID); s != nil {
		if rel := s.current.Load(); rel != nil {
			return rel, nil
		}
	}
	return nil, refuse(KindNotFound, "unknown_tenant", "no scripts for tenant %q and no _default folder", id)
}

// notLoaded answers for a tenant folder that has never built.
func (e *Engine) notLoaded(id string, ev *webhook.Event) *Answer {
	a := &Answer{Tenant: id, Body: []byte(emptyAnswer), Fallback: FallbackNotLoaded}
	if ev.EventType == webhook.CallAction {
		a.Body = callflow.Fallback(callflow.Defaults{}).Encode()
	}
	e.logger.Warn("answered with the fallback: the tenant's scripts have never built", "tenant", id, "eventId", ev.EventID, "sessionId", ev.SessionID)
	return a
}

// run runs the event through the script and makes the answer. With a sessionId, the call's
// session is read before the handler (from pre when BeginEvent brought it, else from the
// store), the call kept on the version it started on, and the session to write after the
// handler succeeded is returned for the caller to save; a failed handler saves nothing.
func (e *Engine) run(ctx context.Context, req Request, id string, rel *release, ev *webhook.Event, pre *store.Begun) (*Answer, *store.SessionSave) {
	deadline := vm.ScriptDeadline(req.Received, rel.timeout)
	isCall := ev.EventType == webhook.CallAction
	hook, hasHook := rel.program.HookFor(ev.EventType, ev.CallStatus)

	var sess store.Session
	var known bool
	stateful := ev.SessionID != "" && !req.DryRun
	if stateful && (hasHook || ev.EventType == webhook.SessionSummary) {
		if pre != nil {
			sess, known = pre.Session, pre.HasSession
		} else {
			storeCtx, cancel := context.WithDeadline(ctx, deadline)
			var err error
			sess, known, err = e.store.LoadSession(storeCtx, id, ev.SessionID)
			cancel()
			if err != nil {
				e.metrics.StoreErrors.WithLabelValues("load").Inc()
				return e.storeFailed(id, rel, ev, isCall, err), nil
			}
		}
		if known && sess.Version != "" && sess.Version != rel.version {
			pinCtx, cancel := context.WithDeadline(ctx, deadline)
			pinned, ok := e.pinned(pinCtx, rel, sess.Version)
			cancel()
			if ok {
				rel = pinned
				hook, hasHook = rel.program.HookFor(ev.EventType, ev.CallStatus)
			} else {
				e.logger.Warn("the call started on a version that is no longer loaded; the newest version serves it",
					"tenant", id, "version", rel.version, "started", sess.Version, "sessionId", ev.SessionID)
			}
		}
	}
	logger := e.logger
	answer := &Answer{Tenant: id, Version: rel.version, Body: []byte(emptyAnswer)}
	if req.DryRun {
		capture, handler := logbuf.Tee(logger.Handler())
		logger = slog.New(handler).With(slog.Bool("dryRun", true))
		defer func() { answer.Logs = capture.Lines() }()
	}
	// The event's logger is made only if something is logged: With costs more than the rest of
	// the engine's own work on an event.
	logAttrs := []slog.Attr{slog.String("tenant", id), slog.String("version", rel.version),
		slog.String("eventId", ev.EventID), slog.String("sessionId", ev.SessionID)}
	log := eventLog{base: logger, attrs: logAttrs}
	if !hasHook {
		if isCall {
			log.get().Error("answered with the fallback: the script has no hook for this CALL_ACTION (export onCallReceived/onActionCompleted, or onCallAction)", "callStatus", ev.CallStatus)
			answer.Body, answer.Fallback = rel.fallback, FallbackNoHandler
		} else if stateful && known && ev.EventType == webhook.SessionSummary {
			return answer, e.sessionSave(ev, sess) // the call ended: keep its session briefly
		}
		return answer, nil
	}
	call := vm.Call{
		Hook:         hook,
		Event:        ev.Raw,
		EventMembers: ev.Members,
		Context:      vm.EventContext(id, rel.version, ev),
		Deadline:     deadline,
		Answer:       isCall,
		Logger:       logger,
		LogAttrs:     logAttrs,
		Fetch:        rel.fetcher,
		Guard:        e.guard,
		Workers:      e.workers,
	}
	if ev.SessionID != "" {
		call.SessionLimit = MaxSessionBytes // a dry run gets a fresh session, never saved
		if known {
			call.Session = sess.Data
		}
	}
	if s := e.slot(rel.tenant); s != nil {
		call.Gate = s.gate
	}
	running := e.metrics.ActiveRuntimes.WithLabelValues(rel.tenant)
	running.Inc()
	res := rel.program.Run(ctx, call)
	running.Dec()
	e.metrics.PoolWait.WithLabelValues(rel.tenant).Observe(res.Waited.Seconds())
	if res.Err != nil {
		reason := FallbackScriptError
		switch {
		case errors.Is(res.Err, vm.ErrDeadline):
			reason = FallbackTimeout
			e.metrics.Interrupts.WithLabelValues(rel.tenant, "deadline").Inc()
		case errors.Is(res.Err, vm.ErrOverloaded):
			reason = FallbackOverloaded
		case errors.Is(res.Err, vm.ErrMemoryLimit):
			reason = FallbackMemoryLimit
		}
		attrs := []any{"reason", reason, "err", res.Err.Error()}
		var se *vm.ScriptError
		if errors.As(res.Err, &se) && se.Location() != "" {
			attrs = append(attrs, "source", se.Location())
		}
		answer.Fallback = reason
		if isCall {
			answer.Body = rel.fallback
			log.get().Error("answered with the fallback: "+res.Err.Error(), attrs...)
		} else {
			log.get().Error("the "+hook+" hook failed: "+res.Err.Error(), attrs...)
		}
		return answer, nil
	}
	if isCall {
		if res.JSON == nil {
			log.get().Error("answered with the fallback: the handler returned no callflow for this CALL_ACTION", "reason", FallbackNoCallflow, "hook", hook)
			answer.Body, answer.Fallback = rel.fallback, FallbackNoCallflow
			return answer, nil
		}
		flow, err := callflow.Parse(res.JSON, rel.defaults)
		if err != nil {
			log.get().Error("answered with the fallback: the returned callflow is invalid: "+err.Error(), "reason", FallbackInvalidCallflow, "hook", hook)
			answer.Body, answer.Fallback = rel.fallback, FallbackInvalidCallflow
			return answer, nil
		}
		answer.Body = flow.Encode()
	}
	if stateful {
		version := sess.Version
		if !known || version != rel.version {
			version = rel.version // a new call, or one whose version was evicted: pin the newest
		}
		return answer, e.sessionSave(ev, store.Session{Version: version, Data: res.Session})
	}
	return answer, nil
}

// eventLog is one event's logger, made on first use.
type eventLog struct {
	base   *slog.Logger
	attrs  []slog.Attr
	logger *slog.Logger
}

func (l *eventLog) get() *slog.Logger {
	if l.logger == nil {
		l.logger = slog.New(l.base.Handler().WithAttrs(l.attrs))
	}
	return l.logger
}

// sessionSave is a call's session to write: kept for the idle TTL, or briefly once the call
// has ended.
func (e *Engine) sessionSave(ev *webhook.Event, s store.Session) *store.SessionSave {
	ttl := e.opts.SessionTTL
	if ev.EventType == webhook.SessionSummary {
		ttl = endedSessionTTL
	}
	return &store.SessionSave{ID: ev.SessionID, Session: s, TTL: ttl}
}

// saveSession writes a call's session on its own, for events that carry no eventId.
func (e *Engine) saveSession(ctx context.Context, deadline time.Time, id string, save *store.SessionSave) error {
	storeCtx, cancel := context.WithDeadline(ctx, deadline)
	defer cancel()
	err := e.store.SaveSession(storeCtx, id, save.ID, save.Session, save.TTL)
	if err != nil {
		e.metrics.StoreErrors.WithLabelValues("save").Inc()
		e.logger.Error("could not save the call's session", "tenant", id, "sessionId", save.ID, "err", err)
	}
	return err
}

// storeFailed answers when the session store cannot be read or written in time.
func (e *Engine) storeFailed(id string, rel *release, ev *webhook.Event, isCall bool, err error) *Answer {
	e.logger.Error("answered with the fallback: the session store failed", "tenant", id, "eventId", ev.EventID,
		"sessionId", ev.SessionID, "reason", FallbackStoreUnavailable, "err", err)
	a := &Answer{Tenant: id, Version: rel.version, Body: []byte(emptyAnswer), Fallback: FallbackStoreUnavailable}
	if isCall {
		a.Body = rel.fallback
	}
	return a
}
