package fetch

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"net/netip"
	"strings"
	"sync/atomic"
	"testing"
	"time"
)

// testHosts resolves the made-up names the tests use; anything else is not found.
func testHosts(hosts map[string][]string) func(context.Context, string) ([]netip.Addr, error) {
	return func(_ context.Context, host string) ([]netip.Addr, error) {
		list, ok := hosts[host]
		if !ok {
			return nil, &net.DNSError{Err: "no such host", Name: host, IsNotFound: true}
		}
		out := make([]netip.Addr, len(list))
		for i, s := range list {
			out[i] = netip.MustParseAddr(s)
		}
		return out, nil
	}
}

// echoServer answers every request with a JSON description of it and counts the requests.
func echoServer(t *testing.T) (*httptest.Server, *atomic.Int32) {
	t.Helper()
	var hits atomic.Int32
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		hits.Add(1)
		body, _ := io.ReadAll(r.Body)
		w.Header().Set("Content-Type", "application/json")
		w.Header().Add("X-Multi", "a")
		w.Header().Add("X-Multi", "b")
		w.WriteHeader(http.StatusCreated)
		fmt.Fprintf(w, `{"method":%q,"path":%q,"body":%q,"ua":%q,"token":%q,"host":%q}`,
			r.Method, r.URL.Path, body, r.UserAgent(), r.Header.Get("X-Token"), r.Host)
	}))
	t.Cleanup(srv.Close)
	return srv, &hits
}

func port(t *testing.T, srv *httptest.Server) string {
	t.Helper()
	_, p, err := net.SplitHostPort(srv.Listener.Addr().String())
	if err != nil {
		t.Fatal(err)
	}
	return p
}

func TestFetchAllowed(t *testing.T) {
	srv, _ := echoServer(t)
	c := NewClient(Options{AllowLoopback: true, UserAgent: "callscript-test"})
	tn := c.For(Policy{Allow: []string{"127.0.0.1"}})
	res, err := tn.Fetch(context.Background(), &Request{
		Method: "post",
		URL:    srv.URL + "/crm/lookup",
		Header: http.Header{"x-token": {" s3cret "}},
		Body:   []byte(`{"n":1}`),
	})
	if err != nil {
		t.Fatal(err)
	}
	want := `{"method":"POST","path":"/crm/lookup","body":"{\"n\":1}","ua":"callscript-test","token":"s3cret","host":"` + srv.Listener.Addr().String() + `"}`
	if string(res.Body) != want {
		t.Errorf("body = %s\nwant   %s", res.Body, want)
	}
	if res.Status != 201 || res.StatusText != "Created" {
		t.Errorf("status = %d %q, want 201 Created", res.Status, res.StatusText)
	}
	if got := res.Header.Values("X-Multi"); strings.Join(got, ",") != "a,b" {
		t.Errorf("X-Multi = %q", got)
	}
	if res.URL != srv.URL+"/crm/lookup" || res.Redirected {
		t.Errorf("url = %q redirected = %v", res.URL, res.Redirected)
	}
}

func TestFetchRefused(t *testing.T) {
	srv, hits := echoServer(t)
	p := port(t, srv)
	hosts := testHosts(map[string][]string{
		"localhost":         {"127.0.0.1", "::1"},
		"metadata.test":     {"169.254.169.254"},
		"intranet.test":     {"10.1.2.3"},
		"cgnat.test":        {"100.64.0.9"},
		"mapped.test":       {"::ffff:10.0.0.1"},
		"ula.test":          {"fd00:ec2::254"},
		"zero.test":         {"0.0.0.0"},
		"loop.example.test": {"127.0.0.1"},
		"api.example.test":  {"127.0.0.1"},
	})
	allow := []string{"127.0.0.1", "localhost", "metadata.test", "intranet.test", "cgnat.test", "mapped.test",
		"ula.test", "zero.test", "*.example.test", "169.254.169.254"}
	tests := []struct {
		name     string
		loopback bool
		allow    []string
		url      string
		want     string // the whole error message, with PORT for the server's port
		is       error
	}{
		{"not allowed", true, allow, "https://x.example/",
			"fetch https://x.example/: host x.example is not in this tenant's fetch.allow (tenant.json)", ErrNotAllowed},
		{"empty allow list", true, nil, "https://x.example/a?b=1",
			"fetch https://x.example/a?b=1: host x.example is not in this tenant's fetch.allow (tenant.json), which lists no hosts: fetch reaches only the hosts listed there", ErrNotAllowed},
		{"wildcard does not cover the domain itself", true, allow, "http://example.test:PORT/",
			"fetch http://example.test:PORT/: host example.test is not in this tenant's fetch.allow (tenant.json)", ErrNotAllowed},
		{"127.0.0.1 without the loopback flag", false, allow, "http://127.0.0.1:PORT/",
			"fetch http://127.0.0.1:PORT/: 127.0.0.1 is a loopback address, which fetch may not reach (the server's --fetch-allow-loopback flag opens loopback addresses, for local development)", ErrNotAllowed},
		{"localhost without the loopback flag", false, allow, "http://localhost:PORT/", "a loopback address", ErrNotAllowed},
		{"wildcard host resolving to loopback", false, allow, "http://loop.example.test:PORT/", "a loopback address", ErrNotAllowed},
		{"metadata", true, allow, "http://metadata.test:PORT/latest/meta-data/",
			"fetch http://metadata.test:PORT/latest/meta-data/: host metadata.test resolves to 169.254.169.254, a link-local address, which fetch may not reach", ErrNotAllowed},
		{"metadata literal", true, allow, "http://169.254.169.254/", "169.254.169.254 is a link-local address", ErrNotAllowed},
		{"private", true, allow, "http://intranet.test:PORT/", "resolves to 10.1.2.3, a private address", ErrNotAllowed},
		{"carrier-grade NAT", true, allow, "http://cgnat.test:PORT/", "100.64.0.9, a shared (carrier-grade NAT) address", ErrNotAllowed},
		{"IPv4-mapped private", true, allow, "http://mapped.test:PORT/", "resolves to 10.0.0.1, a private address", ErrNotAllowed},
		{"unique local IPv6", true, allow, "http://ula.test:PORT/", "fd00:ec2::254, a private address", ErrNotAllowed},
		{"unspecified stays refused with the loopback flag", true, allow, "http://zero.test:PORT/", "0.0.0.0, an unspecified address", ErrNotAllowed},
		{"file scheme", true, allow, "file:///etc/passwd", `fetch file:///etc/passwd: the URL must start with http:// or https:// (it starts with "file:")`, ErrNotAllowed},
		{"scheme-less", true, allow, "localhost:8080/x", `the URL must start with http:// or https:// (it starts with "localhost:")`, ErrNotAllowed},
		{"relative", true, allow, "/api/x", "fetch /api/x: not an absolute URL: write the whole URL, such as https://api.example.com/path", nil},
		{"credentials", true, allow, "http://bob:pw@127.0.0.1:PORT/",
			"fetch http://bob:xxxxx@127.0.0.1:PORT/: the URL carries a user name or password: send credentials in an Authorization header instead", nil},
		{"unknown host", true, []string{"nowhere.test"}, "http://nowhere.test:PORT/", "host nowhere.test not found (DNS)", nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := NewClient(Options{AllowLoopback: tt.loopback, Lookup: hosts})
			url := strings.ReplaceAll(tt.url, "PORT", p)
			before := hits.Load()
			res, err := c.For(Policy{Allow: tt.allow}).Fetch(context.Background(), &Request{URL: url})
			if err == nil {
				t.Fatalf("fetched %s (status %d), want an error", url, res.Status)
			}
			want := strings.ReplaceAll(tt.want, "PORT", p)
			if strings.HasPrefix(want, "fetch ") && err.Error() != want {
				t.Errorf("error = %s\nwant    %s", err, want)
			} else if !strings.Contains(err.Error(), want) {
				t.Errorf("error = %s\nwant it to contain %s", err, want)
			}
			var fe *Error
			if !errors.As(err, &fe) {
				t.Errorf("error is a %T, want *Error", err)
			}
			if tt.is != nil && !errors.Is(err, tt.is) {
				t.Errorf("errors.Is(%v, %v) = false", err, tt.is)
			}
			if hits.Load() != before {
				t.Error("the request reached the server")
			}
		})
	}
}

func TestFetchBadRequests(t *testing.T) {
	srv, hits := echoServer(t)
	tn := NewClient(Options{AllowLoopback: true}).For(Policy{Allow: []string{"127.0.0.1"}})
	tests := []struct {
		name string
		req  Request
		want string
	}{
		{"GET with a body", Request{Body: []byte("x")}, "a GET request cannot have a body: use POST or PUT to send one"},
		{"bad method", Request{Method: "GE T"}, `"GE T" is not a valid HTTP method`},
		{"CONNECT", Request{Method: "connect"}, "the CONNECT method is not allowed"},
		{"bad header name", Request{Header: http.Header{"X Bad": {"1"}}}, `"X Bad" is not a valid header name`},
		{"header injection", Request{Header: http.Header{"X-A": {"1\r\nX-B: 2"}}}, "the value of header X-A contains a line break or NUL character"},
		{"Host header", Request{Header: http.Header{"Host": {"other.example"}}}, "the Host header cannot be set: it comes from the URL"},
		{"body too large", Request{Method: "POST", Body: make([]byte, MaxRequestBodyBytes+1)}, fmt.Sprintf("the request body is %d bytes, over the limit of %d bytes", MaxRequestBodyBytes+1, MaxRequestBodyBytes)},
		{"bad redirect mode", Request{Redirect: "folow"}, `init.redirect must be "follow", "manual" or "error", not "folow"`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			tt.req.URL = srv.URL + "/"
			_, err := tn.Fetch(context.Background(), &tt.req)
			want := "fetch " + srv.URL + "/: " + tt.want
			if err == nil || err.Error() != want {
				t.Errorf("error = %v\nwant    %s", err, want)
			}
		})
	}
	if hits.Load() != 0 {
		t.Errorf("%d requests reached the server", hits.Load())
	}
}

func TestFetchWildcardAndLookup(t *testing.T) {
	srv, _ := echoServer(t)
	p := port(t, srv)
	// Every address a lookup returns is checked when dialed: the private one is skipped and
	// the loopback one, opened by the flag, is used.
	c := NewClient(Options{AllowLoopback: true, Lookup: testHosts(map[string][]string{
		"crm.svc.example.test": {"10.0.0.7", "127.0.0.1"},
	})})
	res, err := c.For(Policy{Allow: []string{"*.example.test"}}).Fetch(context.Background(), &Request{URL: "http://crm.svc.example.test:" + p + "/x"})
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(string(res.Body), `"host":"crm.svc.example.test:`+p+`"`) {
		t.Errorf("body = %s, want the Host header of the URL", res.Body)
	}
}

func TestFetchIPv6Loopback(t *testing.T) {
	ln, err := net.Listen("tcp", "[::1]:0")
	if err != nil {
		t.Skipf("no IPv6 loopback: %v", err)
	}
	srv := httptest.NewUnstartedServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { io.WriteString(w, "six") }))
	srv.Listener = ln
	srv.Start()
	defer srv.Close()
	url := "http://v6.test:" + port(t, srv) + "/"
	lookup := testHosts(map[string][]string{"v6.test": {"::1"}})
	policy := Policy{Allow: []string{"v6.test"}}

	res, err := NewClient(Options{AllowLoopback: true, Lookup: lookup}).For(policy).Fetch(context.Background(), &Request{URL: url})
	if err != nil || string(res.Body) != "six" {
		t.Fatalf("with the loopback flag: %v, %v", res, err)
	}
	_, err = NewClient(Options{Lookup: lookup}).For(policy).Fetch(context.Background(), &Request{URL: url})
	if err == nil || !strings.Contains(err.Error(), "host v6.test resolves to ::1, a loopback address") {
		t.Fatalf("without the loopback flag: %v", err)
	}
}

func TestFetchRedirects(t *testing.T) {
	var target atomic.Int32
	mux := http.NewServeMux()
	srv := httptest.NewServer(mux)
	defer srv.Close()
	p := port(t, srv)
	mux.HandleFunc("/to-ok", func(w http.ResponseWriter, r *http.Request) { http.Redirect(w, r, "/ok", http.StatusFound) })
	mux.HandleFunc("/ok", func(w http.ResponseWriter, r *http.Request) { target.Add(1); io.WriteString(w, "landed") })
	mux.HandleFunc("/to-evil", func(w http.ResponseWriter, r *http.Request) {
		http.Redirect(w, r, "http://evil.test:"+p+"/ok", http.StatusFound)
	})
	mux.HandleFunc("/to-metadata", func(w http.ResponseWriter, r *http.Request) {
		http.Redirect(w, r, "http://169.254.169.254/latest/meta-data/", http.StatusFound)
	})
	mux.HandleFunc("/to-file", func(w http.ResponseWriter, r *http.Request) {
		http.Redirect(w, r, "ftp://127.0.0.1/x", http.StatusFound)
	})
	mux.HandleFunc("/loop/", func(w http.ResponseWriter, r *http.Request) {
		var n int
		fmt.Sscanf(r.URL.Path, "/loop/%d", &n)
		http.Redirect(w, r, fmt.Sprintf("/loop/%d", n+1), http.StatusFound)
	})
	c := NewClient(Options{AllowLoopback: true, Lookup: testHosts(map[string][]string{"evil.test": {"127.0.0.1"}})})
	tn := c.For(Policy{Allow: []string{"127.0.0.1", "169.254.169.254"}})
	tests := []struct {
		path, redirect string
		status         int
		wantErr        string
		is             error
	}{
		{"/to-ok", "", 200, "", nil},
		{"/to-ok", "manual", 302, "", nil},
		{"/to-ok", "error", 0, `the server redirected to http://127.0.0.1:PORT/ok and init.redirect is "error"`, nil},
		{"/to-evil", "", 0, "redirected to http://evil.test:PORT/ok, but host evil.test is not in this tenant's fetch.allow (tenant.json)", ErrNotAllowed},
		{"/to-metadata", "", 0, "169.254.169.254 is a link-local address, which fetch may not reach", ErrNotAllowed},
		{"/to-file", "", 0, "redirected to ftp://127.0.0.1/x, but fetch speaks only http and https, not ftp", ErrNotAllowed},
		{"/loop/0", "", 0, "more than 5 redirects (the last to http://127.0.0.1:PORT/loop/6)", nil},
	}
	for _, tt := range tests {
		t.Run(tt.path+" "+tt.redirect, func(t *testing.T) {
			before := target.Load()
			res, err := tn.Fetch(context.Background(), &Request{URL: srv.URL + tt.path, Redirect: tt.redirect})
			if tt.wantErr != "" {
				want := strings.ReplaceAll(tt.wantErr, "PORT", p)
				if err == nil || !strings.Contains(err.Error(), want) || !strings.HasPrefix(err.Error(), "fetch "+srv.URL+tt.path+": ") {
					t.Fatalf("error = %v\nwant it to contain %s", err, want)
				}
				if tt.is != nil && !errors.Is(err, tt.is) {
					t.Errorf("errors.Is(err, %v) = false", tt.is)
				}
				if target.Load() != before {
					t.Error("the redirect was followed")
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if res.Status != tt.status {
				t.Errorf("status = %d, want %d", res.Status, tt.status)
			}
			if tt.status == 200 && (!res.Redirected || res.URL != srv.URL+"/ok" || string(res.Body) != "landed") {
				t.Errorf("redirected = %v, url = %q, body = %q", res.Redirected, res.URL, res.Body)
			}
			if tt.status == 302 && (res.Redirected || res.Header.Get("Location") != "/ok") {
				t.Errorf("manual: redirected = %v, Location = %q", res.Redirected, res.Header.Get("Location"))
			}
		})
	}
}

func TestFetchDeadline(t *testing.T) {
	release := make(chan struct{})
	defer close(release)
	mux := http.NewServeMux()
	mux.HandleFunc("/slow-headers", func(w http.ResponseWriter, r *http.Request) {
		select {
		case <-release:
		case <-r.Context().Done():
		}
	})
	mux.HandleFunc("/slow-body", func(w http.ResponseWriter, r *http.Request) {
		io.WriteString(w, "partial")
		w.(http.Flusher).Flush()
		select {
		case <-release:
		case <-r.Context().Done():
		}
	})
	srv := httptest.NewServer(mux)
	defer srv.Close()
	tn := NewClient(Options{AllowLoopback: true}).For(Policy{Allow: []string{"127.0.0.1"}})
	const budget = 100 * time.Millisecond
	tests := []struct {
		path    string
		timeout time.Duration // init.timeout
		want    string
		is      error
	}{
		{"/slow-headers", 0, "cut at the event's deadline before the response arrived (timeoutMs in tenant.json sets the event's time budget)", context.DeadlineExceeded},
		{"/slow-body", 0, "cut at the event's deadline while reading the response body", context.DeadlineExceeded},
		{"/slow-headers", 30 * time.Millisecond, "no answer within init.timeout (30 ms)", ErrTimeout},
	}
	for _, tt := range tests {
		t.Run(tt.path, func(t *testing.T) {
			ctx, cancel := context.WithTimeout(context.Background(), budget)
			defer cancel()
			start := time.Now()
			_, err := tn.Fetch(ctx, &Request{URL: srv.URL + tt.path, Timeout: tt.timeout})
			elapsed := time.Since(start)
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Fatalf("error = %v\nwant it to contain %s", err, tt.want)
			}
			if !errors.Is(err, tt.is) {
				t.Errorf("errors.Is(err, %v) = false", tt.is)
			}
			if elapsed > budget+50*time.Millisecond {
				t.Errorf("took %v, want the request cut within %v", elapsed, budget)
			}
		})
	}
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if _, err := tn.Fetch(ctx, &Request{URL: srv.URL + "/slow-headers"}); err == nil || !strings.Contains(err.Error(), "cancelled before it started: the event was abandoned") {
		t.Errorf("cancelled context: %v", err)
	}
}

func TestFetchMaxBytes(t *testing.T) {
	mux := http.NewServeMux()
	mux.HandleFunc("/sized/", func(w http.ResponseWriter, r *http.Request) {
		var n int
		fmt.Sscanf(r.URL.Path, "/sized/%d", &n)
		w.Header().Set("Content-Length", fmt.Sprint(n))
		w.Write(make([]byte, n))
	})
	mux.HandleFunc("/chunked/", func(w http.ResponseWriter, r *http.Request) {
		var n int
		fmt.Sscanf(r.URL.Path, "/chunked/%d", &n)
		for range n {
			w.Write([]byte{'x'})
			if n%100 == 0 {
				w.(http.Flusher).Flush()
			}
		}
	})
	srv := httptest.NewServer(mux)
	defer srv.Close()
	tn := NewClient(Options{AllowLoopback: true}).For(Policy{Allow: []string{"127.0.0.1"}, MaxBytes: 1000})
	tests := []struct {
		path string
		want string // "" for success
	}{
		{"/sized/1000", ""},
		{"/chunked/1000", ""},
		{"/sized/1001", "the response body is 1001 bytes, over the limit of 1000 bytes; fetch.maxBytes in tenant.json raises it"},
		{"/chunked/5000", "the response body is over the limit of 1000 bytes; fetch.maxBytes in tenant.json raises it"},
	}
	for _, tt := range tests {
		t.Run(tt.path, func(t *testing.T) {
			res, err := tn.Fetch(context.Background(), &Request{URL: srv.URL + tt.path})
			if tt.want == "" {
				if err != nil || len(res.Body) != 1000 {
					t.Fatalf("res = %v, err = %v", res, err)
				}
				return
			}
			if err == nil || err.Error() != "fetch "+srv.URL+tt.path+": "+tt.want || !errors.Is(err, ErrTooLarge) {
				t.Fatalf("error = %v\nwant    %s", err, tt.want)
			}
		})
	}
	defaults := NewClient(Options{}).For(Policy{})
	if defaults.policy.MaxBytes != 1<<20 || defaults.MaxRequests() != 20 {
		t.Errorf("default MaxBytes = %d, MaxRequests = %d; want 1 MiB and 20", defaults.policy.MaxBytes, defaults.MaxRequests())
	}
}

func TestFetchIgnoresProxyEnvironment(t *testing.T) {
	var proxied atomic.Int32
	proxy := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		proxied.Add(1)
		io.WriteString(w, "from the proxy")
	}))
	defer proxy.Close()
	srv, hits := echoServer(t)
	for _, name := range []string{"HTTP_PROXY", "http_proxy", "HTTPS_PROXY", "https_proxy", "ALL_PROXY"} {
		t.Setenv(name, proxy.URL)
	}
	t.Setenv("NO_PROXY", "")
	t.Setenv("no_proxy", "")
	// A name that is not "localhost": proxy-from-environment would send it to the proxy.
	c := NewClient(Options{AllowLoopback: true, Lookup: testHosts(map[string][]string{"api.test": {"127.0.0.1"}})})
	res, err := c.For(Policy{Allow: []string{"api.test"}}).Fetch(context.Background(), &Request{URL: "http://api.test:" + port(t, srv) + "/"})
	if err != nil {
		t.Fatal(err)
	}
	if proxied.Load() != 0 || hits.Load() != 1 || !strings.Contains(string(res.Body), `"path":"/"`) {
		t.Errorf("proxy saw %d requests, server %d; body %s", proxied.Load(), hits.Load(), res.Body)
	}
}

func TestFetchConcurrent(t *testing.T) {
	srv, hits := echoServer(t)
	tn := NewClient(Options{AllowLoopback: true}).For(Policy{Allow: []string{"127.0.0.1"}})
	const n = 50
	errs := make(chan error, n)
	for i := range n {
		go func() {
			res, err := tn.Fetch(context.Background(), &Request{URL: fmt.Sprintf("%s/%d", srv.URL, i)})
			if err == nil && !strings.Contains(string(res.Body), fmt.Sprintf(`"path":"/%d"`, i)) {
				err = fmt.Errorf("request %d got %s", i, res.Body)
			}
			errs <- err
		}()
	}
	for range n {
		if err := <-errs; err != nil {
			t.Error(err)
		}
	}
	if hits.Load() != n {
		t.Errorf("server saw %d requests, want %d", hits.Load(), n)
	}
}
