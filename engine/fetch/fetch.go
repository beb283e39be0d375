// Package fetch performs tenant scripts' outbound HTTP requests under each tenant's policy.
//
// One Client serves the whole server; Client.For gives each tenant a Tenant handle bound to its
// policy (tenant.json fetch.allow and fetch.maxBytes). A request may only go to http and https
// URLs whose host is on the tenant's allow list, and only to public addresses: the address
// check runs on the very IP address being connected to (net.Dialer's Control hook), after name
// resolution, so a host name that resolves, or re-resolves (DNS rebinding), to a private,
// loopback, link-local or metadata address is refused. Proxy settings from the environment are
// never used, since a proxy would connect on the script's behalf beyond the check. Redirects are
// followed up to MaxRedirects, each hop checked against the allow list again.
//
// Every error is an *Error whose message names the URL and says, in a script author's terms,
// what went wrong and which tenant.json key or init option is involved.
package fetch

import (
	"bytes"
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/netip"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/callscript/callscript/engine/tenant"
)

// Limits of fetch.
const (
	// DefaultMaxRequests bounds the fetch calls of one event when Policy.MaxRequests is 0.
	// Redirect hops are not counted; they are bounded by MaxRedirects.
	DefaultMaxRequests = 20
	// MaxRedirects is the most redirects one request follows.
	MaxRedirects = 5
	// MaxRequestBodyBytes bounds the body a script may send.
	MaxRequestBodyBytes = 1 << 20
	// DefaultUserAgent is sent when neither Options.UserAgent nor the script sets one.
	DefaultUserAgent = "callscript"

	maxResponseHeaderBytes = 64 << 10
	maxURLInMessage        = 200

	// The phases of a request an error message names.
	whenWaiting = "before the response arrived"
	whenReading = "while reading the response body"
)

// Errors an *Error may wrap, for callers that count or classify failures.
var (
	// ErrNotAllowed: the tenant's policy refused the request (a scheme other than http and
	// https, a host not on fetch.allow, an address that is not public).
	ErrNotAllowed = errors.New("fetch not allowed")
	// ErrTooLarge: a request or response body over its limit.
	ErrTooLarge = errors.New("fetch body too large")
	// ErrTimeout: the request's own Timeout passed. A request cut by its context wraps the
	// context's error instead (context.DeadlineExceeded at the event's deadline).
	ErrTimeout = errors.New("fetch timed out")
)

// Request is one outbound request of a script.
type Request struct {
	// Method is the HTTP method, upper-cased by the caller or not; "" means GET.
	Method string
	// URL is the absolute http or https URL, as the script wrote it.
	URL string
	// Header holds the request headers; nil is none. Host cannot be set; Content-Length,
	// Transfer-Encoding, Connection, Keep-Alive, TE, Trailer, Upgrade and Accept-Encoding are
	// left to the transport and ignored.
	Header http.Header
	// Body is the request body, at most MaxRequestBodyBytes; GET and HEAD take none.
	Body []byte
	// Redirect says what to do with a redirect: "" or "follow", "manual" (answer with the
	// redirect response itself), "error" (fail).
	Redirect string
	// Timeout bounds this request (a script's init.timeout); 0 means only the context does.
	Timeout time.Duration
}

// Response is the answer to a Request.
type Response struct {
	Status     int    // 200
	StatusText string // "OK"
	Header     http.Header
	Body       []byte // the whole body, at most the policy's MaxBytes
	URL        string // the URL that answered, after any redirects
	Redirected bool   // whether a redirect was followed
}

// Options configure a Client.
type Options struct {
	// AllowLoopback lets requests reach 127.0.0.0/8 and ::1 (--fetch-allow-loopback, for
	// local development and tests). Every other non-public address stays refused.
	AllowLoopback bool
	// UserAgent is the User-Agent header sent when the script sets none; "" means
	// DefaultUserAgent.
	UserAgent string
	// Lookup resolves a host name to its addresses; nil uses the system resolver. Whatever it
	// returns still goes through the address check when dialed.
	Lookup func(ctx context.Context, host string) ([]netip.Addr, error)
	// TLSConfig is used for https; nil uses the system's root certificates.
	TLSConfig *tls.Config
}

// Client performs the fetch requests of every tenant of a server. It holds the connection pool
// and is safe for concurrent use.
type Client struct {
	opts      Options
	dialer    net.Dialer
	transport *http.Transport
}

// NewClient returns a client configured by opts.
func NewClient(opts Options) *Client {
	if opts.UserAgent == "" {
		opts.UserAgent = DefaultUserAgent
	}
	c := &Client{opts: opts}
	c.dialer = net.Dialer{KeepAlive: 30 * time.Second, Control: c.checkDial}
	c.transport = &http.Transport{
		Proxy:                  nil, // never from the environment: a proxy would dial beyond checkDial
		DialContext:            c.dial,
		TLSClientConfig:        opts.TLSConfig,
		ForceAttemptHTTP2:      true,
		MaxIdleConns:           256,
		MaxIdleConnsPerHost:    16,
		IdleConnTimeout:        90 * time.Second,
		TLSHandshakeTimeout:    10 * time.Second,
		MaxResponseHeaderBytes: maxResponseHeaderBytes,
	}
	return c
}

// CloseIdleConnections closes the pooled connections that are not in use (at shutdown).
func (c *Client) CloseIdleConnections() { c.transport.CloseIdleConnections() }

// dial connects to addr ("host:port"). Without a Lookup hook the dialer resolves the name
// itself; either way its Control hook checks each address it connects to.
func (c *Client) dial(ctx context.Context, network, addr string) (net.Conn, error) {
	host, port, err := net.SplitHostPort(addr)
	if err != nil || c.opts.Lookup == nil {
		return c.dialer.DialContext(ctx, network, addr)
	}
	if _, err := netip.ParseAddr(host); err == nil {
		return c.dialer.DialContext(ctx, network, addr)
	}
	addrs, err := c.opts.Lookup(ctx, host)
	if err != nil {
		if dnsErr := (*net.DNSError)(nil); errors.As(err, &dnsErr) {
			return nil, err
		}
		return nil, &net.DNSError{Err: err.Error(), Name: host}
	}
	if len(addrs) == 0 {
		return nil, &net.DNSError{Err: "no such host", Name: host, IsNotFound: true}
	}
	var first error
	for _, a := range addrs {
		conn, err := c.dialer.DialContext(ctx, network, net.JoinHostPort(a.String(), port))
		if err == nil {
			return conn, nil
		}
		if first == nil {
			first = err
		}
		if ctx.Err() != nil {
			break
		}
	}
	return nil, first
}

// Policy is what one tenant's scripts may fetch.
type Policy struct {
	// Allow lists the host names requests may go to (tenant.json fetch.allow, as
	// tenant.FetchPolicy holds it: lower case, "*.example.com" for the hosts under a domain).
	// Empty: none.
	Allow []string
	// MaxBytes caps one response body (fetch.maxBytes); 0 means tenant.DefaultFetchMaxBytes.
	MaxBytes int64
	// MaxRequests caps the fetch calls of one event; 0 means DefaultMaxRequests. The caller
	// that runs the event counts them (package vm does) and asks Tenant.MaxRequests.
	MaxRequests int
}

// Tenant performs the requests of one tenant under its policy. It holds no per-event state:
// one Tenant serves every event of the tenant's version, concurrently.
type Tenant struct {
	client *Client
	allow  tenant.FetchPolicy
	policy Policy
}

// For returns the handle that fetches under policy p.
func (c *Client) For(p Policy) *Tenant {
	if p.MaxBytes <= 0 {
		p.MaxBytes = tenant.DefaultFetchMaxBytes
	}
	if p.MaxRequests <= 0 {
		p.MaxRequests = DefaultMaxRequests
	}
	allow := make([]string, len(p.Allow))
	for i, rule := range p.Allow {
		allow[i] = strings.ToLower(rule)
	}
	p.Allow = allow
	return &Tenant{client: c, allow: tenant.FetchPolicy{Allow: p.Allow, MaxBytes: p.MaxBytes}, policy: p}
}

// MaxRequests is the most fetch calls one event may make.
func (t *Tenant) MaxRequests() int { return t.policy.MaxRequests }

// Error is a fetch that failed or was refused.
type Error struct {
	// URL is the URL the script asked for, with any password hidden and shortened if long.
	URL string
	// Reason says what went wrong, for the script's author: "host x.example is not in this
	// tenant's fetch.allow (tenant.json)".
	Reason string
	// Err is the cause: ErrNotAllowed, ErrTooLarge, ErrTimeout, a context error, a network
	// error, or nil.
	Err error
}

func (e *Error) Error() string { return "fetch " + e.URL + ": " + e.Reason }

func (e *Error) Unwrap() error { return e.Err }

// Fetch performs req under the tenant's policy and reads the whole response. It gives up when
// ctx ends (the event's deadline) or req.Timeout passes. Every error is an *Error.
func (t *Tenant) Fetch(ctx context.Context, req *Request) (*Response, error) {
	u, err := url.Parse(req.URL)
	fail := func(cause error, format string, args ...any) (*Response, error) {
		return nil, &Error{URL: displayURL(u, req.URL), Reason: fmt.Sprintf(format, args...), Err: cause}
	}
	if err != nil {
		var ue *url.Error
		if errors.As(err, &ue) {
			err = ue.Err
		}
		return fail(err, "not a valid URL (%v)", err)
	}
	switch {
	case u.Scheme == "":
		return fail(nil, "not an absolute URL: write the whole URL, such as https://api.example.com/path")
	case u.Scheme != "http" && u.Scheme != "https":
		return fail(ErrNotAllowed, "the URL must start with http:// or https:// (it starts with %q)", u.Scheme+":")
	case u.Host == "":
		return fail(nil, "the URL has no host: write the whole URL, such as https://api.example.com/path")
	}
	if problem := t.refuseURL(u); problem != "" {
		return fail(ErrNotAllowed, "%s", problem)
	}
	if u.User != nil {
		return fail(nil, "the URL carries a user name or password: send credentials in an Authorization header instead")
	}
	method, problem := normalizeMethod(req.Method)
	if problem != "" {
		return fail(nil, "%s", problem)
	}
	if len(req.Body) > 0 && (method == http.MethodGet || method == http.MethodHead) {
		return fail(nil, "a %s request cannot have a body: use POST or PUT to send one", method)
	}
	if len(req.Body) > MaxRequestBodyBytes {
		return fail(ErrTooLarge, "the request body is %d bytes, over the limit of %d bytes", len(req.Body), MaxRequestBodyBytes)
	}
	redirect := req.Redirect
	switch redirect {
	case "", "follow", "manual", "error":
	default:
		return fail(nil, "init.redirect must be \"follow\", \"manual\" or \"error\", not %q", redirect)
	}
	if req.Timeout < 0 {
		return fail(nil, "init.timeout must be a positive number of milliseconds")
	}
	if err := ctx.Err(); err != nil {
		return fail(err, "%s", cutReason(ctx, "before it started"))
	}

	reqCtx := ctx
	if req.Timeout > 0 {
		var cancel context.CancelFunc
		reqCtx, cancel = context.WithTimeoutCause(ctx, req.Timeout, ErrTimeout)
		defer cancel()
	}
	var body io.Reader
	if len(req.Body) > 0 {
		body = bytes.NewReader(req.Body)
	}
	hreq, err := http.NewRequestWithContext(reqCtx, method, u.String(), body)
	if err != nil {
		return fail(err, "cannot build the request: %v", err)
	}
	if problem := copyHeaders(hreq.Header, req.Header); problem != "" {
		return fail(nil, "%s", problem)
	}
	if hreq.Header.Get("User-Agent") == "" {
		hreq.Header.Set("User-Agent", t.client.opts.UserAgent)
	}
	if hreq.Header.Get("Accept") == "" {
		hreq.Header.Set("Accept", "*/*")
	}

	hc := http.Client{Transport: t.client.transport, CheckRedirect: t.checkRedirect(redirect)}
	resp, err := hc.Do(hreq)
	if err != nil {
		return fail(causeOf(reqCtx, err), "%s", t.reason(reqCtx, req, err, whenWaiting))
	}
	defer resp.Body.Close()
	if resp.ContentLength > t.policy.MaxBytes && method != http.MethodHead {
		return fail(ErrTooLarge, "%s", t.tooLarge(resp.ContentLength))
	}
	data, err := io.ReadAll(io.LimitReader(resp.Body, t.policy.MaxBytes+1))
	if err != nil {
		return fail(causeOf(reqCtx, err), "%s", t.reason(reqCtx, req, err, whenReading))
	}
	if int64(len(data)) > t.policy.MaxBytes {
		return fail(ErrTooLarge, "%s", t.tooLarge(-1))
	}
	return &Response{
		Status:     resp.StatusCode,
		StatusText: statusText(resp),
		Header:     resp.Header,
		Body:       data,
		URL:        resp.Request.URL.String(),
		Redirected: resp.Request != hreq,
	}, nil
}

// refuseURL says why the policy refuses u, or "" when it does not.
func (t *Tenant) refuseURL(u *url.URL) string {
	if u.Scheme != "http" && u.Scheme != "https" {
		return fmt.Sprintf("fetch speaks only http and https, not %s", u.Scheme)
	}
	host := u.Hostname()
	if t.allow.Allows(host) {
		return ""
	}
	if len(t.allow.Allow) == 0 {
		return fmt.Sprintf("host %s is not in this tenant's fetch.allow (tenant.json), which lists no hosts: fetch reaches only the hosts listed there", host)
	}
	return fmt.Sprintf("host %s is not in this tenant's fetch.allow (tenant.json)", host)
}

// checkRedirect follows redirects as the script asked, checking each hop against the policy.
func (t *Tenant) checkRedirect(mode string) func(*http.Request, []*http.Request) error {
	return func(next *http.Request, via []*http.Request) error {
		switch mode {
		case "manual":
			return http.ErrUseLastResponse
		case "error":
			return &redirectError{reason: fmt.Sprintf("the server redirected to %s and init.redirect is \"error\"", displayURL(next.URL, ""))}
		}
		if len(via) > MaxRedirects {
			return &redirectError{reason: fmt.Sprintf("more than %d redirects (the last to %s)", MaxRedirects, displayURL(next.URL, ""))}
		}
		if problem := t.refuseURL(next.URL); problem != "" {
			return &redirectError{reason: fmt.Sprintf("redirected to %s, but %s", displayURL(next.URL, ""), problem), cause: ErrNotAllowed}
		}
		return nil
	}
}

// redirectError is a redirect that is not followed; the reason is the whole explanation.
type redirectError struct {
	reason string
	cause  error
}

func (e *redirectError) Error() string { return e.reason }
func (e *redirectError) Unwrap() error { return e.cause }

// causeOf is the error an *Error wraps for a failure of the request under ctx.
func causeOf(ctx context.Context, err error) error {
	if ctx.Err() != nil {
		if cause := context.Cause(ctx); errors.Is(cause, ErrTimeout) {
			return ErrTimeout
		}
		return ctx.Err()
	}
	var redirect *redirectError
	if errors.As(err, &redirect) {
		return redirect.cause
	}
	return err
}

// reason explains a failure of the request or of reading its body.
func (t *Tenant) reason(ctx context.Context, req *Request, err error, when string) string {
	if ctx.Err() != nil {
		if errors.Is(context.Cause(ctx), ErrTimeout) {
			if when == whenWaiting {
				return fmt.Sprintf("no answer within init.timeout (%d ms)", req.Timeout.Milliseconds())
			}
			return fmt.Sprintf("init.timeout (%d ms) passed %s", req.Timeout.Milliseconds(), when)
		}
		return cutReason(ctx, when)
	}
	var redirect *redirectError
	if errors.As(err, &redirect) {
		return redirect.reason
	}
	host := ""
	var ue *url.Error
	if errors.As(err, &ue) {
		if u, perr := url.Parse(ue.URL); perr == nil {
			host = u.Hostname()
		}
	}
	var blocked *blockedAddressError
	if errors.As(err, &blocked) {
		msg := fmt.Sprintf("host %s resolves to %s, %s address, which fetch may not reach", host, blocked.addr, article(blocked.kind))
		if host == blocked.addr.String() {
			msg = blocked.Error()
		}
		if blocked.kind == "loopback" {
			msg += " (the server's --fetch-allow-loopback flag opens loopback addresses, for local development)"
		}
		return msg
	}
	var dns *net.DNSError
	if errors.As(err, &dns) {
		if dns.IsNotFound {
			return fmt.Sprintf("host %s not found (DNS)", dns.Name)
		}
		return fmt.Sprintf("cannot resolve host %s: %s", dns.Name, dns.Err)
	}
	var certErr *tls.CertificateVerificationError
	if errors.As(err, &certErr) {
		return fmt.Sprintf("the TLS certificate of %s is not trusted: %v", host, certErr.Err)
	}
	var op *net.OpError
	if errors.As(err, &op) && op.Op == "dial" {
		return fmt.Sprintf("cannot connect to %s: %v", host, op.Err)
	}
	if strings.Contains(err.Error(), "server response headers exceeded") {
		return fmt.Sprintf("the response headers are over %d bytes", maxResponseHeaderBytes)
	}
	if ue != nil {
		err = ue.Err
	}
	if errors.Is(err, io.ErrUnexpectedEOF) || errors.Is(err, io.EOF) {
		return "the server closed the connection " + when
	}
	return fmt.Sprintf("%v %s", err, when)
}

// cutReason explains a request ended by its context: the event's deadline, or the event given
// up on.
func cutReason(ctx context.Context, when string) string {
	if errors.Is(ctx.Err(), context.DeadlineExceeded) {
		return "cut at the event's deadline " + when + " (timeoutMs in tenant.json sets the event's time budget)"
	}
	return "cancelled " + when + ": the event was abandoned"
}

func (t *Tenant) tooLarge(size int64) string {
	what := "is over"
	if size >= 0 {
		what = fmt.Sprintf("is %d bytes, over", size)
	}
	return fmt.Sprintf("the response body %s the limit of %d bytes; fetch.maxBytes in tenant.json raises it", what, t.policy.MaxBytes)
}

// normalizeMethod upper-cases method ("" is GET) and refuses what is not an HTTP token or may
// not be sent. Every method is upper-cased, "patch" included (the Fetch standard leaves
// "patch" as it is, which servers then reject).
func normalizeMethod(method string) (string, string) {
	if method == "" {
		return http.MethodGet, ""
	}
	if !IsToken(method) {
		return "", fmt.Sprintf("%q is not a valid HTTP method", method)
	}
	method = strings.ToUpper(method)
	switch method {
	case http.MethodConnect, http.MethodTrace, "TRACK":
		return "", fmt.Sprintf("the %s method is not allowed", method)
	}
	return method, ""
}

// copyHeaders copies the script's headers into dst, checking names and values. It returns what
// is wrong, or "".
func copyHeaders(dst, src http.Header) string {
	for name, values := range src {
		if !IsToken(name) {
			return fmt.Sprintf("%q is not a valid header name", name)
		}
		canonical := http.CanonicalHeaderKey(name)
		switch canonical {
		case "Host":
			return "the Host header cannot be set: it comes from the URL"
		case "Content-Length", "Transfer-Encoding", "Connection", "Keep-Alive", "Te", "Trailer", "Upgrade", "Accept-Encoding":
			continue // the transport sets these itself
		}
		for _, v := range values {
			if strings.ContainsAny(v, "\r\n\x00") {
				return fmt.Sprintf("the value of header %s contains a line break or NUL character", name)
			}
			dst.Add(canonical, strings.Trim(v, " \t"))
		}
	}
	return ""
}

// IsToken reports whether s is an HTTP token (RFC 9110 §5.6.2), as header names and methods
// must be.
func IsToken(s string) bool {
	if s == "" {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case 'a' <= c && c <= 'z', 'A' <= c && c <= 'Z', '0' <= c && c <= '9':
		case strings.IndexByte("!#$%&'*+-.^_`|~", c) >= 0:
		default:
			return false
		}
	}
	return true
}

func statusText(resp *http.Response) string {
	text := strings.TrimPrefix(resp.Status, strconv.Itoa(resp.StatusCode))
	if text = strings.TrimSpace(text); text == "" {
		text = http.StatusText(resp.StatusCode)
	}
	return text
}

// displayURL is u for an error message: its password hidden, shortened when long. raw is used
// when u could not be parsed.
func displayURL(u *url.URL, raw string) string {
	s := raw
	if u != nil {
		s = u.Redacted()
	}
	if len(s) > maxURLInMessage {
		s = s[:maxURLInMessage] + "…"
	}
	return s
}
