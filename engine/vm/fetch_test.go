package vm_test

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"sort"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/callscript/callscript/engine/bundle"
	"github.com/callscript/callscript/engine/fetch"
	"github.com/callscript/callscript/engine/vm"
)

// loadScript bundles, compiles and loads a one-file tenant.
func loadScript(t testing.TB, code string) *vm.Program {
	t.Helper()
	ctx := context.Background()
	b, err := bundle.Build(ctx, &bundle.Source{Files: map[string][]byte{"index.js": []byte(code)}}, "index.js")
	if err != nil {
		t.Fatalf("build: %v", err)
	}
	prog, err := vm.Compile(bundle.ProgramName, b.Code)
	if err != nil {
		t.Fatalf("compile: %v", err)
	}
	p, err := vm.Load(ctx, vm.Config{Tenant: "acme", Version: b.Version(), Program: prog})
	if err != nil {
		t.Fatalf("load: %v", err)
	}
	return p
}

// fetchServer is the API the scripts fetch from.
func fetchServer(t testing.TB) *httptest.Server {
	t.Helper()
	mux := http.NewServeMux()
	mux.HandleFunc("/crm", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		w.Header().Set("X-Crm", "yes")
		w.Header().Add("Set-Cookie", "a=1")
		w.Header().Add("Set-Cookie", "b=2")
		io.WriteString(w, `{"greeting": "Welcome back, Ada", "tier": "gold"}`)
	})
	mux.HandleFunc("/echo", func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		names := make([]string, 0, len(r.Header))
		for name := range r.Header {
			if strings.HasPrefix(name, "X-") || name == "Content-Type" {
				names = append(names, name+"="+strings.Join(r.Header[name], "|"))
			}
		}
		sort.Strings(names)
		w.Header().Set("Content-Type", "application/json")
		json.NewEncoder(w).Encode(map[string]any{"method": r.Method, "headers": strings.Join(names, ";"), "body": string(body)})
	})
	mux.HandleFunc("/html", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/html")
		w.WriteHeader(http.StatusBadGateway)
		io.WriteString(w, "<html><body>Bad gateway</body></html>")
	})
	mux.HandleFunc("/empty", func(w http.ResponseWriter, r *http.Request) { w.WriteHeader(http.StatusNoContent) })
	mux.HandleFunc("/slow", func(w http.ResponseWriter, r *http.Request) {
		select {
		case <-r.Context().Done():
		case <-time.After(5 * time.Second):
		}
	})
	mux.HandleFunc("/later", func(w http.ResponseWriter, r *http.Request) {
		time.Sleep(50 * time.Millisecond)
		io.WriteString(w, "late")
	})
	srv := httptest.NewServer(mux)
	t.Cleanup(srv.Close)
	return srv
}

// testFetcher lets scripts reach the test server (on 127.0.0.1) and nothing else.
func testFetcher(maxRequests int) *fetch.Tenant {
	return fetch.NewClient(fetch.Options{AllowLoopback: true}).For(fetch.Policy{Allow: []string{"127.0.0.1"}, MaxRequests: maxRequests})
}

// run calls the handler with {"base": the server's URL} as the event.
func run(p *vm.Program, base string, fetcher vm.Fetcher, budget time.Duration) vm.Result {
	event, _ := json.Marshal(map[string]string{"base": base})
	return p.Run(context.Background(), vm.Call{
		Event:    event,
		Answer:   true,
		Deadline: time.Now().Add(budget),
		Fetch:    fetcher,
	})
}

func TestFetchFromHandler(t *testing.T) {
	srv := fetchServer(t)
	tests := []struct {
		name string
		code string // the body of an async handler (event, ctx); event.base is the server's URL
		want string // the handler's answer as JSON
	}{
		{
			name: "callflow from a JSON API",
			code: `
				const res = await fetch(event.base + "/crm");
				const data = await res.json();
				return { callflow: [{ action: "say", params: { text: data.greeting + " (" + data.tier + ")" } }, { action: "hangup" }] };`,
			want: `{"callflow":[{"action":"say","params":{"text":"Welcome back, Ada (gold)"}},{"action":"hangup"}]}`,
		},
		{
			name: "response fields and headers",
			code: `
				const res = await ctx.fetch(event.base + "/crm");
				const h = res.headers;
				const seen = [];
				h.forEach((value, name) => seen.push(name));
				return { ok: res.ok, status: res.status, statusText: res.statusText, url: res.url === event.base + "/crm",
					redirected: res.redirected, type: String(h.get("CONTENT-TYPE")), crm: h.get("x-crm"), missing: h.get("x-none"),
					has: [h.has("X-Crm"), h.has("x-none")], cookies: h.getSetCookie(), setCookie: h.get("set-cookie"),
					names: seen.filter(n => n !== "date" && n !== "content-length"), tag: Object.prototype.toString.call(res),
					isHeaders: h instanceof Headers, keys: Object.keys(res) };`,
			want: `{"ok":true,"status":200,"statusText":"OK","url":true,"redirected":false,"type":"application/json","crm":"yes","missing":null,` +
				`"has":[true,false],"cookies":["a=1","b=2"],"setCookie":"a=1, b=2","names":["content-type","set-cookie","set-cookie","x-crm"],` +
				`"tag":"[object Response]","isHeaders":true,"keys":["status","statusText","ok","url","redirected","type","headers","bodyUsed"]}`,
		},
		{
			name: "text and status of an error answer",
			code: `
				const res = await fetch(event.base + "/html");
				return { ok: res.ok, status: res.status, statusText: res.statusText, text: await res.text() };`,
			want: `{"ok":false,"status":502,"statusText":"Bad Gateway","text":"<html><body>Bad gateway</body></html>"}`,
		},
		{
			name: "method, headers and body sent",
			code: `
				const res = await fetch({ url: event.base + "/echo" }, { method: "patch", headers: { "X-Token": "t1", "Content-Type": "application/json" }, body: JSON.stringify({ n: 1 }) });
				const a = await res.json();
				const b = await (await fetch(event.base + "/echo", { method: "POST", headers: [["x-a", "1"], ["X-A", "2"]], body: "plain" })).json();
				const c = await (await fetch(event.base + "/echo", { headers: new Map([["x-m", "map"]]) })).json();
				const hs = new Headers({ "X-H": "h" }); hs.append("x-h", "again");
				const d = await (await fetch(event.base + "/echo", { method: "PUT", headers: hs, body: new Uint8Array([104, 105]) })).json();
				return [a, b, c, d];`,
			want: `[{"body":"{\"n\":1}","headers":"Content-Type=application/json;X-Token=t1","method":"PATCH"},` +
				`{"body":"plain","headers":"Content-Type=text/plain;charset=UTF-8;X-A=1|2","method":"POST"},` +
				`{"body":"","headers":"X-M=map","method":"GET"},` +
				`{"body":"hi","headers":"X-H=h|again","method":"PUT"}]`,
		},
		{
			name: "binary bodies",
			code: `
				const send = async body => (await (await fetch(event.base + "/echo", { method: "POST", body })).json());
				const bytes = new Uint8Array([111, 107]);
				return [await send(bytes.buffer), await send(new DataView(bytes.buffer)), await send(42), await send(new String("s"))];`,
			want: `[{"body":"ok","headers":"","method":"POST"},{"body":"ok","headers":"","method":"POST"},` +
				`{"body":"42","headers":"Content-Type=text/plain;charset=UTF-8","method":"POST"},{"body":"s","headers":"Content-Type=text/plain;charset=UTF-8","method":"POST"}]`,
		},
		{
			name: "Headers is an ordinary global",
			code: `
				const before = Object.getOwnPropertyDescriptor(globalThis, "Headers");
				const name = Headers.name;
				const after = Object.getOwnPropertyDescriptor(globalThis, "Headers");
				return { kind: typeof Headers, name, lazy: typeof before.get, writable: after.writable, enumerable: after.enumerable, same: Headers === Headers };`,
			want: `{"kind":"function","name":"Headers","lazy":"function","writable":true,"enumerable":false,"same":true}`,
		},
		{
			name: "refused host seen by the handler's catch",
			code: `
				try {
					await fetch("https://x.example/");
					return "fetched";
				} catch (e) {
					return { isTypeError: e instanceof TypeError, message: e.message, stack: e.stack.split("\n")[1].trim() };
				}`,
			want: `{"isTypeError":true,"message":"fetch failed: https://x.example/: host x.example is not in this tenant's fetch.allow (tenant.json)","stack":"at handler (index.js:3:12(4))"}`,
		},
		{
			name: "body read twice",
			code: `
				const res = await fetch(event.base + "/crm");
				const copy = res.clone();
				await res.text();
				const again = await res.json().catch(e => e.constructor.name + ": " + e.message);
				return { again, used: res.bodyUsed, copy: (await copy.json()).tier };`,
			want: `{"again":"TypeError: the body of the response from ` + srv.URL + `/crm was already read: text(), json() and arrayBuffer() read it once (keep what the first call returned, or clone() the response first)","used":true,"copy":"gold"}`,
		},
		{
			name: "json of an HTML answer",
			code: `
				const res = await fetch(event.base + "/html");
				return await res.json().catch(e => e.name + "|" + e.message);`,
			want: `"SyntaxError|the response from ` + srv.URL + `/html is not valid JSON (status 502, Content-Type text/html): invalid character '<' looking for beginning of value; it starts with \"<html><body>Bad gateway</body></html>\""`,
		},
		{
			name: "json of an empty answer",
			code: `return await (await fetch(event.base + "/empty")).json().catch(e => e.message);`,
			want: `"the response from ` + srv.URL + `/empty is not valid JSON but an empty body (status 204)"`,
		},
		{
			name: "argument problems reject",
			code: `
				const msg = p => p.then(() => "fetched", e => e.message);
				return [
					await msg(fetch(event.base + "/echo", { method: "POST", body: { n: 1 } })),
					await msg(fetch(event.base + "/echo", { signal: {} })),
					await msg(fetch(event.base + "/echo", { timeout: "soon" })),
					await msg(fetch(event.base + "/echo", { headers: [["x-a"]] })),
					await msg(fetch(event.base + "/echo", { headers: { "bad name": "1" } })),
					await msg(fetch()),
					await msg(fetch("/relative")),
					await msg(fetch(event.base + "/echo", { get method() { throw new Error("a getter of the script threw"); } })),
				];`,
			want: `["fetch failed: ` + srv.URL + `/echo: init.body is an object, which fetch does not send: for JSON, write body: JSON.stringify(value) with a \"Content-Type\": \"application/json\" header",` +
				`"fetch failed: ` + srv.URL + `/echo: init.signal is not supported (there is no AbortController here): use init.timeout, in milliseconds, to bound one request",` +
				`"fetch failed: ` + srv.URL + `/echo: init.timeout must be a positive number of milliseconds, such as 800",` +
				`"fetch failed: ` + srv.URL + `/echo: init.headers: item 0 must be a [name, value] pair, got an array",` +
				`"fetch failed: ` + srv.URL + `/echo: init.headers: \"bad name\" is not a valid header name",` +
				`"fetch failed: the URL is missing: call fetch(\"https://api.example.com/path\", init)",` +
				`"fetch failed: /relative: not an absolute URL: write the whole URL, such as https://api.example.com/path",` +
				`"a getter of the script threw"]`,
		},
		{
			name: "init.timeout",
			code: `return await fetch(event.base + "/slow", { timeout: 30 }).then(() => "fetched", e => e.message);`,
			want: `"fetch failed: ` + srv.URL + `/slow: no answer within init.timeout (30 ms)"`,
		},
		{
			name: "Headers",
			code: `
				const h = new Headers([["B", "2"], ["a", "1"]]);
				h.append("b", "3");
				h.set("C", " 4 ");
				h.delete("a");
				const thrown = [];
				try { h.set("bad name", "x"); } catch (e) { thrown.push(e.message); }
				const res = await fetch(event.base + "/crm");
				try { res.headers.set("x", "y"); } catch (e) { thrown.push(e.message); }
				return { entries: [...h], keys: [...h.keys()], values: [...h.values()], b: h.get("B"), json: JSON.stringify(h), thrown };`,
			want: `{"entries":[["b","2, 3"],["c","4"]],"keys":["b","c"],"values":["2, 3","4"],"b":"2, 3","json":"{}",` +
				`"thrown":["Headers.set: \"bad name\" is not a valid header name","Headers.set: the headers of a response cannot be changed (copy them with new Headers(res.headers))"]}`,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p := loadScript(t, "export default async function handler(event, ctx) {"+tt.code+"\n}\n")
			res := run(p, srv.URL, testFetcher(0), 2*time.Second)
			if res.Err != nil {
				t.Fatalf("script failed: %v", res.Err)
			}
			if string(res.JSON) != tt.want {
				t.Errorf("answer = %s\nwant     %s", res.JSON, tt.want)
			}
		})
	}
}

func TestFetchUncaughtRefusal(t *testing.T) {
	p := loadScript(t, `export default async function (event, ctx) {
	const res = await fetch("http://169.254.169.254/latest/meta-data/");
	return [];
}
`)
	res := run(p, "", testFetcher(0), time.Second)
	var se *vm.ScriptError
	if !errors.As(res.Err, &se) {
		t.Fatalf("err = %v, want a *vm.ScriptError", res.Err)
	}
	const want = "TypeError: fetch failed: http://169.254.169.254/latest/meta-data/: host 169.254.169.254 is not in this tenant's fetch.allow (tenant.json)"
	if se.Message != want || se.File != "index.js" || se.Line != 2 {
		t.Errorf("error = %q at %s:%d\nwant    %q at index.js:2", se.Message, se.File, se.Line, want)
	}
}

func TestFetchDeadline(t *testing.T) {
	srv := fetchServer(t)
	p := loadScript(t, `export default async function (event) {
	const res = await fetch(event.base + "/slow");
	return [{ action: "hangup" }];
}
`)
	const budget = 200 * time.Millisecond
	start := time.Now()
	res := run(p, srv.URL, testFetcher(0), budget)
	elapsed := time.Since(start)
	if !errors.Is(res.Err, vm.ErrDeadline) {
		t.Fatalf("err = %v, want one wrapping vm.ErrDeadline", res.Err)
	}
	if elapsed > budget+100*time.Millisecond {
		t.Errorf("Run took %v with a budget of %v", elapsed, budget)
	}
}

func TestFetchLimits(t *testing.T) {
	srv := fetchServer(t)
	tests := []struct {
		name    string
		module  string // top-level code before the handler
		code    string
		fetcher vm.Fetcher
		want    string
	}{
		{
			name:    "requests per event",
			fetcher: testFetcher(3),
			code: `
				const all = await Promise.allSettled([1, 2, 3, 4].map(() => fetch(event.base + "/crm")));
				return all.map(r => r.status === "fulfilled" ? r.value.status : r.reason.message);`,
			want: `[200,200,200,"fetch failed: ` + srv.URL + `/crm: this event already made 3 fetch requests, the most one event may make"]`,
		},
		{
			name:    "the count starts again with each event",
			fetcher: testFetcher(1),
			code:    `return (await fetch(event.base + "/crm")).status;`,
			want:    `200`,
		},
		{
			name:    "no fetcher",
			fetcher: nil,
			code:    `return await fetch(event.base + "/crm").catch(e => e.message);`,
			want:    `"fetch failed: ` + srv.URL + `/crm: fetch is turned off in this engine (it was given no fetcher)"`,
		},
		{
			name: "a fetcher that fails in its own way",
			fetcher: fetcherFunc(func(context.Context, *fetch.Request) (*fetch.Response, error) {
				return nil, errors.New("upstream said no")
			}),
			code: `return await fetch("https://api.example.com/x").catch(e => e.message);`,
			want: `"fetch failed: https://api.example.com/x: upstream said no"`,
		},
		{
			name:    "a fetcher that panics",
			fetcher: fetcherFunc(func(context.Context, *fetch.Request) (*fetch.Response, error) { panic("boom") }),
			code:    `return await fetch("https://api.example.com/x").catch(e => e.message);`,
			want:    `"fetch failed: https://api.example.com/x: fetch crashed in the engine: boom"`,
		},
		{
			name:    "a password in the URL is not shown",
			fetcher: nil,
			code:    `return await fetch("https://bob:hunter2@api.example.com/x").catch(e => e.message);`,
			want:    `"fetch failed: https://bob:xxxxx@api.example.com/x: fetch is turned off in this engine (it was given no fetcher)"`,
		},
		{
			name:    "at module top level",
			module:  `const early = fetch("https://api.example.com/").then(() => "fetched", e => e.message);`,
			fetcher: testFetcher(0),
			code:    `return await early;`,
			want:    `"fetch failed: fetch can only be called while an event is handled, not when the module is first loaded: call it inside a handler"`,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p := loadScript(t, tt.module+"\nexport default async function (event, ctx) {"+tt.code+"\n}\n")
			for range 2 { // the same runtime twice: nothing carries over from the first call
				res := run(p, srv.URL, tt.fetcher, 2*time.Second)
				if res.Err != nil {
					t.Fatalf("script failed: %v", res.Err)
				}
				if string(res.JSON) != tt.want {
					t.Errorf("answer = %s\nwant     %s", res.JSON, tt.want)
				}
			}
		})
	}
}

// fetcherFunc is a Fetcher made of a function.
type fetcherFunc func(context.Context, *fetch.Request) (*fetch.Response, error)

func (f fetcherFunc) Fetch(ctx context.Context, req *fetch.Request) (*fetch.Response, error) {
	return f(ctx, req)
}

// A fetch the handler does not wait for must not resume in the next call of the runtime.
func TestFetchNotAwaitedDoesNotLeak(t *testing.T) {
	srv := fetchServer(t)
	p := loadScript(t, `export default async function (event) {
	if (event.first) {
		fetch(event.base + "/later").finally(() => { globalThis.leaked = true; });
		return "started";
	}
	await fetch(event.base + "/later");
	return globalThis.leaked === true ? "leaked" : "clean";
}
`)
	ctx := context.Background()
	first := p.Run(ctx, vm.Call{Event: []byte(`{"first": true, "base": "` + srv.URL + `"}`), Answer: true, Deadline: time.Now().Add(time.Second), Fetch: testFetcher(0)})
	if first.Err != nil || string(first.JSON) != `"started"` {
		t.Fatalf("first call: %s, %v", first.JSON, first.Err)
	}
	time.Sleep(100 * time.Millisecond) // the first call's fetch has ended (cancelled with its call)
	second := run(p, srv.URL, testFetcher(0), time.Second)
	if second.Err != nil || string(second.JSON) != `"clean"` {
		t.Fatalf("second call: %s, %v", second.JSON, second.Err)
	}
}

func TestFetchConcurrentRuns(t *testing.T) {
	srv := fetchServer(t)
	p := loadScript(t, `export default async function (event) {
	const [a, b] = await Promise.all([fetch(event.base + "/crm"), fetch(event.base + "/echo?n=" + event.n)]);
	const data = await a.json();
	return { callflow: [{ action: "say", params: { text: data.greeting + " " + event.n + " " + (await b.json()).method } }] };
}
`)
	fetcher := testFetcher(0)
	var wg sync.WaitGroup
	for i := range 32 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			res := p.Run(context.Background(), vm.Call{
				Event:    fmt.Appendf(nil, `{"base": %q, "n": %d}`, srv.URL, i),
				Answer:   true,
				Deadline: time.Now().Add(5 * time.Second),
				Fetch:    fetcher,
			})
			want := fmt.Sprintf(`{"callflow":[{"action":"say","params":{"text":"Welcome back, Ada %d GET"}}]}`, i)
			if res.Err != nil || string(res.JSON) != want {
				t.Errorf("run %d: %s, %v", i, res.JSON, res.Err)
			}
		}()
	}
	wg.Wait()
}
