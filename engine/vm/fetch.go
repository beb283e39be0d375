package vm

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"math"
	"net/http"
	"net/url"
	"reflect"
	"slices"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/dop251/goja"

	"github.com/callscript/callscript/engine/fetch"
	"github.com/callscript/callscript/engine/internal/jsfunc"
	"github.com/callscript/callscript/engine/sdk"
)

// The script-facing fetch (SPEC §3) follows the WHATWG Fetch standard where a server-side
// script can tell, with these decisions:
//
//   - fetch(input, init) never throws: every failure rejects its promise with a TypeError whose
//     message starts "fetch failed: " and names the URL; its stack points at the author's call.
//   - input is a URL string, an object with a url property, or anything whose string form is a
//     URL. init takes method, headers (a plain object, an array of [name, value] pairs, a Map or
//     a Headers), body, redirect ("follow", "manual", "error") and, beyond the standard,
//     timeout (milliseconds for this one request; the event's deadline bounds every request
//     anyway). signal is refused (there is no AbortController); credentials, mode, cache and the
//     other browser options are accepted and ignored, as are unknown keys.
//   - body is a string (sent as text/plain;charset=UTF-8 unless a Content-Type is given, as the
//     standard says), an ArrayBuffer or typed array, or a number or boolean (sent as its
//     string). A plain object or array is refused rather than sent as "[object Object]": the
//     author writes body: JSON.stringify(value).
//   - Every method is upper-cased, "patch" included.
//   - The whole response body is read before the promise resolves (bounded by fetch.maxBytes):
//     text(), json() and arrayBuffer() resolve at once, and each response body can be read once,
//     as the standard says (clone() first to read it twice). There is no body stream.
//   - The fetch calls of one event are counted against the fetcher's MaxRequests
//     (fetch.DefaultMaxRequests when the Fetcher does not say).
//   - A fetch the handler did not wait for is dropped when the call ends: its result never
//     reaches a later call served by the same runtime.

// requestLimiter is a Fetcher that bounds the fetch calls of one event; engine/fetch's Tenant is.
type requestLimiter interface {
	MaxRequests() int
}

// Types of the values behind the Headers and Response objects, to recognise them without
// exporting arbitrary objects.
var (
	headerListType  = reflect.TypeFor[*headerList]()
	responseType    = reflect.TypeFor[*response]()
	arrayBufferType = reflect.TypeFor[goja.ArrayBuffer]()
)

// fetchAPI is the fetch of one runtime: the constructor and prototypes of the objects it makes,
// each created at its first use.
type fetchAPI struct {
	rt            *runtime
	headersCtor   *goja.Object
	headersProto  *goja.Object
	responseProto *goja.Object
}

// installFetch defines the globals fetch and Headers, and sets ctx.fetch. Headers and its
// methods are only made when a script first names Headers or receives a response: most
// scripts never do, and the dozen native functions would double the cost of a new runtime.
func (rt *runtime) installFetch() {
	vm := rt.vm
	api := &fetchAPI{rt: rt}
	fn := jsfunc.New(vm, "fetch", 1, api.fetch)
	_ = vm.Set("fetch", fn)
	rt.shared.Fetch = fn

	// One function is both getter and setter of the global Headers; either way it turns the
	// global into the ordinary data property the standard constructors are.
	lazy := vm.ToValue(func(call goja.FunctionCall) goja.Value {
		var v goja.Value
		if len(call.Arguments) > 0 {
			v = call.Arguments[0] // assigned by the script
		} else {
			v = api.headers()
		}
		_ = vm.GlobalObject().DefineDataProperty("Headers", v, goja.FLAG_TRUE, goja.FLAG_TRUE, goja.FLAG_FALSE)
		return v
	})
	_ = vm.GlobalObject().DefineAccessorProperty("Headers", lazy, lazy, goja.FLAG_TRUE, goja.FLAG_FALSE)
}

// headers returns the Headers constructor, making it and its prototype the first time.
func (api *fetchAPI) headers() *goja.Object {
	if api.headersCtor != nil {
		return api.headersCtor
	}
	vm := api.rt.vm
	ctor := vm.ToValue(api.construct).(*goja.Object)
	proto := ctor.Get("prototype").(*goja.Object)
	methods := []struct {
		name   string
		length int
		fn     func(goja.FunctionCall) goja.Value
	}{
		{"get", 1, api.headersGet}, {"has", 1, api.headersHas}, {"set", 2, api.headersSet},
		{"append", 2, api.headersAppend}, {"delete", 1, api.headersDelete}, {"forEach", 1, api.headersForEach},
		{"entries", 0, api.headersEntries}, {"keys", 0, api.headersKeys}, {"values", 0, api.headersValues},
		{"getSetCookie", 0, api.headersGetSetCookie},
	}
	for _, m := range methods {
		_ = proto.DefineDataProperty(m.name, jsfunc.New(vm, m.name, m.length, m.fn), goja.FLAG_TRUE, goja.FLAG_TRUE, goja.FLAG_FALSE)
	}
	_ = proto.DefineDataPropertySymbol(goja.SymIterator, proto.Get("entries"), goja.FLAG_TRUE, goja.FLAG_TRUE, goja.FLAG_FALSE)
	_ = proto.DefineDataPropertySymbol(goja.SymToStringTag, vm.ToValue("Headers"), goja.FLAG_FALSE, goja.FLAG_TRUE, goja.FLAG_FALSE)
	_ = ctor.DefineDataProperty("name", vm.ToValue("Headers"), goja.FLAG_FALSE, goja.FLAG_TRUE, goja.FLAG_FALSE)
	api.headersCtor, api.headersProto = ctor, proto
	return ctor
}

// fetch is the global fetch(input, init).
func (api *fetchAPI) fetch(call goja.FunctionCall) goja.Value {
	rt, vm := api.rt, api.rt.vm
	promise, resolve, reject := vm.NewPromise()
	frames := vm.CaptureCallStack(maxErrorFrames, nil)
	fail := func(msg string) goja.Value {
		_ = reject(api.newError(nil, "TypeError", "fetch failed: "+msg, frames))
		return vm.ToValue(promise)
	}
	state := rt.call
	if state == nil || state.deadline.IsZero() {
		return fail("fetch can only be called while an event is handled, not when the module is first loaded: call it inside a handler")
	}
	var req *fetch.Request
	var problem string
	if ex := vm.Try(func() { req, problem = api.request(call.Argument(0), call.Argument(1)) }); ex != nil {
		_ = reject(ex.Value()) // the script's own getter or toString threw
		return vm.ToValue(promise)
	}
	if problem != "" {
		return fail(problem)
	}
	where := shortURL(req.URL) + ": "
	if state.fetcher == nil {
		return fail(where + "fetch is turned off in this engine (it was given no fetcher)")
	}
	limit := fetch.DefaultMaxRequests
	if l, ok := state.fetcher.(requestLimiter); ok {
		limit = l.MaxRequests()
	}
	if state.fetches >= limit {
		return fail(fmt.Sprintf("%sthis event already made %d fetch requests, the most one event may make", where, limit))
	}
	state.fetches++

	enqueue := rt.loop.hold()
	fetcher, ctx := state.fetcher, state.ctx
	go func() {
		res, err := safeFetch(ctx, fetcher, req)
		enqueue(func() {
			if rt.call != state {
				return // the call that asked is over; this runtime now serves another one
			}
			if err != nil {
				_ = reject(api.newError(nil, "TypeError", "fetch failed: "+failureText(err, req.URL), frames))
				return
			}
			_ = resolve(api.newResponse(&response{res: res}))
		})
	}()
	return vm.ToValue(promise)
}

// safeFetch calls the fetcher, turning a panic into an error: it runs on a goroutine of its
// own, where a panic would take the whole server down.
func safeFetch(ctx context.Context, fetcher Fetcher, req *fetch.Request) (res *fetch.Response, err error) {
	defer func() {
		if r := recover(); r != nil {
			res, err = nil, fmt.Errorf("fetch crashed in the engine: %v", r)
		}
	}()
	return fetcher.Fetch(ctx, req)
}

// failureText explains a Fetcher's error: the URL, then the reason.
func failureText(err error, rawURL string) string {
	var fe *fetch.Error
	if errors.As(err, &fe) {
		return fe.URL + ": " + fe.Reason
	}
	return shortURL(rawURL) + ": " + err.Error()
}

// request reads fetch's arguments. problem says what is wrong with them, in the author's terms.
func (api *fetchAPI) request(input, init goja.Value) (req *fetch.Request, problem string) {
	req = &fetch.Request{}
	if obj, ok := input.(*goja.Object); ok {
		if u := obj.Get("url"); u != nil && !goja.IsUndefined(u) {
			input = u
		}
	}
	if input == nil || goja.IsUndefined(input) || goja.IsNull(input) {
		return nil, "the URL is missing: call fetch(\"https://api.example.com/path\", init)"
	}
	req.URL = input.String()
	where := shortURL(req.URL) + ": "
	if init == nil || goja.IsUndefined(init) || goja.IsNull(init) {
		return req, ""
	}
	opts, ok := init.(*goja.Object)
	if !ok {
		return nil, where + "the second argument (init) must be an object such as {method: \"POST\", body: \"...\"}"
	}
	get := func(name string) goja.Value {
		v := opts.Get(name)
		if v == nil || goja.IsUndefined(v) || goja.IsNull(v) {
			return nil
		}
		return v
	}
	if v := get("method"); v != nil {
		req.Method = v.String()
	}
	if v := get("headers"); v != nil {
		list := &headerList{}
		if problem := api.fill(list, v); problem != "" {
			return nil, where + "init.headers: " + problem
		}
		if len(list.entries) > 0 {
			req.Header = make(http.Header, len(list.entries))
			for _, e := range list.entries {
				req.Header[http.CanonicalHeaderKey(e.name)] = append(req.Header[http.CanonicalHeaderKey(e.name)], e.value)
			}
		}
	}
	if v := get("body"); v != nil {
		body, text, problem := api.body(v)
		if problem != "" {
			return nil, where + problem
		}
		req.Body = body
		if text && req.Header.Get("Content-Type") == "" {
			if req.Header == nil {
				req.Header = make(http.Header, 1)
			}
			req.Header.Set("Content-Type", "text/plain;charset=UTF-8")
		}
	}
	if v := get("redirect"); v != nil {
		req.Redirect = v.String()
	}
	if v := get("timeout"); v != nil {
		var ms float64
		switch n := v.Export().(type) {
		case int64:
			ms = float64(n)
		case float64:
			ms = n
		}
		if !(ms > 0) || math.IsInf(ms, 0) {
			return nil, where + "init.timeout must be a positive number of milliseconds, such as 800"
		}
		req.Timeout = time.Duration(ms * float64(time.Millisecond))
	}
	if get("signal") != nil {
		return nil, where + "init.signal is not supported (there is no AbortController here): use init.timeout, in milliseconds, to bound one request"
	}
	return req, ""
}

// body reads init.body. text reports a string body, which gets a text/plain Content-Type.
func (api *fetchAPI) body(v goja.Value) (data []byte, text bool, problem string) {
	obj, isObj := v.(*goja.Object)
	if !isObj {
		return []byte(v.String()), true, ""
	}
	if obj.ClassName() == "String" {
		return []byte(v.String()), true, ""
	}
	typ := obj.ExportType()
	switch {
	case typ == arrayBufferType:
		buf := obj.Export().(goja.ArrayBuffer)
		return bytes.Clone(buf.Bytes()), false, ""
	case typ != nil && typ.Kind() == reflect.Slice && typ.Elem().Kind() != reflect.Interface, // a typed array
		obj.GetSymbol(goja.SymToStringTag) != nil && obj.GetSymbol(goja.SymToStringTag).String() == "DataView":
		var view []byte
		if err := api.rt.vm.ExportTo(obj, &view); err == nil {
			return bytes.Clone(view), false, "" // a copy: the script may change the array meanwhile
		}
	}
	return nil, false, "init.body is " + sdk.Describe(v) + ", which fetch does not send: for JSON, write body: JSON.stringify(value) with a \"Content-Type\": \"application/json\" header"
}

// shortURL is a URL as an error message shows it: any password hidden, and cut when long.
func shortURL(s string) string {
	const max = 200
	if strings.Contains(s, "@") {
		if u, err := url.Parse(s); err == nil && u.User != nil {
			s = u.Redacted()
		}
	}
	if len(s) > max {
		cut := max
		for cut > 0 && !utf8.RuneStart(s[cut]) {
			cut--
		}
		return s[:cut] + "…"
	}
	return s
}

// maxErrorFrames bounds the stack frames kept for an error fetch may report later.
const maxErrorFrames = 10

// newError makes an error of the given class whose stack starts at the author's code (frames,
// captured when the script called in), not in fetch's native code. obj is an error object to
// reuse (JSON.parse's SyntaxError), or nil for a new TypeError.
func (api *fetchAPI) newError(obj *goja.Object, name, msg string, frames []goja.StackFrame) *goja.Object {
	vm := api.rt.vm
	if obj == nil {
		obj = vm.NewTypeError("%s", msg)
	} else {
		_ = obj.Set("message", msg)
	}
	var b bytes.Buffer
	b.WriteString(name)
	b.WriteString(": ")
	b.WriteString(msg)
	for i := range frames {
		if frames[i].Position().Line == 0 {
			continue // fetch itself, and other native functions
		}
		b.WriteString("\n\tat ")
		frames[i].Write(&b)
	}
	_ = obj.DefineDataProperty("stack", vm.ToValue(b.String()), goja.FLAG_TRUE, goja.FLAG_TRUE, goja.FLAG_FALSE)
	return obj
}

// headerList is the state of a Headers object: the header list of the Fetch standard.
type headerList struct {
	entries   []headerEntry // names in lower case, in the order they were added
	immutable bool          // a response's headers
}

type headerEntry struct{ name, value string }

// A Headers object is a goja dynamic object backed by its headerList: it has no own properties
// (as in browsers, JSON.stringify gives {}), and its methods live on Headers.prototype.
func (h *headerList) Get(string) goja.Value       { return nil }
func (h *headerList) Set(string, goja.Value) bool { return false }
func (h *headerList) Has(string) bool             { return false }
func (h *headerList) Delete(string) bool          { return true }
func (h *headerList) Keys() []string              { return nil }

// get is the values of name joined with ", ", and whether there is any.
func (h *headerList) get(name string) (string, bool) {
	var out string
	found := false
	for _, e := range h.entries {
		if e.name == name {
			if found {
				out += ", " + e.value
			} else {
				out, found = e.value, true
			}
		}
	}
	return out, found
}

func (h *headerList) remove(name string) {
	h.entries = slices.DeleteFunc(h.entries, func(e headerEntry) bool { return e.name == name })
}

// sorted is the list as Headers iterates it: sorted by name, the values of one name combined,
// except set-cookie, whose values stay apart.
func (h *headerList) sorted() []headerEntry {
	out := slices.Clone(h.entries)
	slices.SortStableFunc(out, func(a, b headerEntry) int { return strings.Compare(a.name, b.name) })
	merged := out[:0]
	for _, e := range out {
		if n := len(merged); n > 0 && e.name != "set-cookie" && merged[n-1].name == e.name {
			merged[n-1].value += ", " + e.value
			continue
		}
		merged = append(merged, e)
	}
	return merged
}

// normalizeHeader checks a header name and value and normalizes them as the standard does:
// the name lower-cased, the value without leading and trailing white space.
func normalizeHeader(name, value string) (string, string, string) {
	if !fetch.IsToken(name) {
		return "", "", fmt.Sprintf("%q is not a valid header name", name)
	}
	value = strings.Trim(value, " \t\r\n")
	if strings.ContainsAny(value, "\r\n\x00") {
		return "", "", fmt.Sprintf("the value of header %s contains a line break or NUL character", name)
	}
	return strings.ToLower(name), value, ""
}

// fill adds the headers of init (a Headers, an iterable of [name, value] pairs, or a plain
// object) to h, and says what is wrong with them, if anything.
func (api *fetchAPI) fill(h *headerList, init goja.Value) string {
	obj, ok := init.(*goja.Object)
	if !ok {
		return "must be an object such as {\"Content-Type\": \"application/json\"}, got " + sdk.Describe(init)
	}
	if obj.ExportType() == headerListType {
		h.entries = append(h.entries, obj.Export().(*headerList).entries...)
		return ""
	}
	add := func(name, value string) string {
		name, value, problem := normalizeHeader(name, value)
		if problem == "" {
			h.entries = append(h.entries, headerEntry{name, value})
		}
		return problem
	}
	if iter := obj.GetSymbol(goja.SymIterator); iter != nil && !goja.IsUndefined(iter) {
		var problem string
		i := 0
		api.rt.vm.ForOf(obj, func(pair goja.Value) bool {
			p, ok := pair.(*goja.Object)
			if !ok || p.Get("length") == nil || p.Get("length").ToInteger() != 2 {
				problem = fmt.Sprintf("item %d must be a [name, value] pair, got %s", i, sdk.Describe(pair))
				return false
			}
			problem = add(p.Get("0").String(), p.Get("1").String())
			i++
			return problem == ""
		})
		return problem
	}
	for _, key := range obj.Keys() {
		if problem := add(key, obj.Get(key).String()); problem != "" {
			return problem
		}
	}
	return ""
}

// construct is new Headers(init).
func (api *fetchAPI) construct(call goja.ConstructorCall) *goja.Object {
	h := &headerList{}
	if init := call.Argument(0); !goja.IsUndefined(init) && !goja.IsNull(init) {
		if problem := api.fill(h, init); problem != "" {
			panic(api.rt.vm.NewTypeError("new Headers: %s", problem))
		}
	}
	return api.headersObject(h, call.This.Prototype())
}

func (api *fetchAPI) headersObject(h *headerList, proto *goja.Object) *goja.Object {
	obj := api.rt.vm.NewDynamicObject(h)
	_ = obj.SetPrototype(proto)
	return obj
}

// headersOf is the headerList behind a method's this.
func (api *fetchAPI) headersOf(call goja.FunctionCall, method string) *headerList {
	if obj, ok := call.This.(*goja.Object); ok && obj.ExportType() == headerListType {
		return obj.Export().(*headerList)
	}
	panic(api.rt.vm.NewTypeError("Headers.prototype.%s called on %s, not on a Headers", method, sdk.Describe(call.This)))
}

// nameArg is a method's header name argument, lower-cased, or a thrown TypeError.
func (api *fetchAPI) nameArg(call goja.FunctionCall, method string) string {
	name := call.Argument(0).String()
	if !fetch.IsToken(name) {
		panic(api.rt.vm.NewTypeError("Headers.%s: %q is not a valid header name", method, name))
	}
	return strings.ToLower(name)
}

func (api *fetchAPI) mutable(h *headerList, method string) {
	if h.immutable {
		panic(api.rt.vm.NewTypeError("Headers.%s: the headers of a response cannot be changed (copy them with new Headers(res.headers))", method))
	}
}

func (api *fetchAPI) headersGet(call goja.FunctionCall) goja.Value {
	h := api.headersOf(call, "get")
	if v, ok := h.get(api.nameArg(call, "get")); ok {
		return api.rt.vm.ToValue(v)
	}
	return goja.Null()
}

func (api *fetchAPI) headersHas(call goja.FunctionCall) goja.Value {
	h := api.headersOf(call, "has")
	_, ok := h.get(api.nameArg(call, "has"))
	return api.rt.vm.ToValue(ok)
}

func (api *fetchAPI) headersSet(call goja.FunctionCall) goja.Value {
	return api.headersAdd(call, "set")
}

func (api *fetchAPI) headersAppend(call goja.FunctionCall) goja.Value {
	return api.headersAdd(call, "append")
}

func (api *fetchAPI) headersAdd(call goja.FunctionCall, method string) goja.Value {
	h := api.headersOf(call, method)
	api.mutable(h, method)
	name, value, problem := normalizeHeader(call.Argument(0).String(), call.Argument(1).String())
	if problem != "" {
		panic(api.rt.vm.NewTypeError("Headers.%s: %s", method, problem))
	}
	if method == "set" {
		h.remove(name)
	}
	h.entries = append(h.entries, headerEntry{name, value})
	return goja.Undefined()
}

func (api *fetchAPI) headersDelete(call goja.FunctionCall) goja.Value {
	h := api.headersOf(call, "delete")
	api.mutable(h, "delete")
	h.remove(api.nameArg(call, "delete"))
	return goja.Undefined()
}

func (api *fetchAPI) headersForEach(call goja.FunctionCall) goja.Value {
	h := api.headersOf(call, "forEach")
	fn, ok := goja.AssertFunction(call.Argument(0))
	if !ok {
		panic(api.rt.vm.NewTypeError("Headers.forEach needs a function, got %s", sdk.Describe(call.Argument(0))))
	}
	vm := api.rt.vm
	for _, e := range h.sorted() {
		if _, err := fn(call.Argument(1), vm.ToValue(e.value), vm.ToValue(e.name), call.This); err != nil {
			panic(err)
		}
	}
	return goja.Undefined()
}

// iterate returns an iterator over the sorted list, each item made by item.
func (api *fetchAPI) iterate(call goja.FunctionCall, method string, item func(headerEntry) goja.Value) goja.Value {
	h := api.headersOf(call, method)
	vm := api.rt.vm
	sorted := h.sorted()
	items := make([]any, len(sorted))
	for i, e := range sorted {
		items[i] = item(e)
	}
	arr := vm.NewArray(items...)
	values, _ := goja.AssertFunction(arr.GetSymbol(goja.SymIterator))
	it, err := values(arr)
	if err != nil {
		panic(err)
	}
	return it
}

func (api *fetchAPI) headersEntries(call goja.FunctionCall) goja.Value {
	vm := api.rt.vm
	return api.iterate(call, "entries", func(e headerEntry) goja.Value { return vm.NewArray(e.name, e.value) })
}

func (api *fetchAPI) headersKeys(call goja.FunctionCall) goja.Value {
	vm := api.rt.vm
	return api.iterate(call, "keys", func(e headerEntry) goja.Value { return vm.ToValue(e.name) })
}

func (api *fetchAPI) headersValues(call goja.FunctionCall) goja.Value {
	vm := api.rt.vm
	return api.iterate(call, "values", func(e headerEntry) goja.Value { return vm.ToValue(e.value) })
}

func (api *fetchAPI) headersGetSetCookie(call goja.FunctionCall) goja.Value {
	h := api.headersOf(call, "getSetCookie")
	var out []any
	for _, e := range h.entries {
		if e.name == "set-cookie" {
			out = append(out, e.value)
		}
	}
	return api.rt.vm.NewArray(out...)
}

// response is the state of a Response object: a goja dynamic object whose properties are the
// response's fields (read-only), with text(), json(), arrayBuffer() and clone() on its
// prototype.
type response struct {
	api      *fetchAPI
	res      *fetch.Response
	headers  *goja.Object // made at first use
	bodyUsed bool
}

func (r *response) Get(key string) goja.Value {
	vm := r.api.rt.vm
	switch key {
	case "status":
		return vm.ToValue(r.res.Status)
	case "statusText":
		return vm.ToValue(r.res.StatusText)
	case "ok":
		return vm.ToValue(r.res.Status >= 200 && r.res.Status <= 299)
	case "url":
		return vm.ToValue(r.res.URL)
	case "redirected":
		return vm.ToValue(r.res.Redirected)
	case "type":
		return vm.ToValue("basic")
	case "bodyUsed":
		return vm.ToValue(r.bodyUsed)
	case "headers":
		if r.headers == nil {
			h := &headerList{immutable: true}
			for name, values := range r.res.Header {
				lower := strings.ToLower(name)
				for _, v := range values {
					h.entries = append(h.entries, headerEntry{lower, v})
				}
			}
			r.api.headers()
			r.headers = r.api.headersObject(h, r.api.headersProto)
		}
		return r.headers
	}
	return nil
}

func (r *response) Set(string, goja.Value) bool { return false }
func (r *response) Has(key string) bool         { return r.Get(key) != nil }
func (r *response) Delete(string) bool          { return false }
func (r *response) Keys() []string {
	return []string{"status", "statusText", "ok", "url", "redirected", "type", "headers", "bodyUsed"}
}

// newResponse makes the Response object for r.
func (api *fetchAPI) newResponse(r *response) *goja.Object {
	vm := api.rt.vm
	if api.responseProto == nil {
		proto := vm.NewObject()
		for _, m := range []struct {
			name string
			fn   func(goja.FunctionCall) goja.Value
		}{{"text", api.responseText}, {"json", api.responseJSON}, {"arrayBuffer", api.responseArrayBuffer}, {"clone", api.responseClone}} {
			_ = proto.DefineDataProperty(m.name, jsfunc.New(vm, m.name, 0, m.fn), goja.FLAG_TRUE, goja.FLAG_TRUE, goja.FLAG_FALSE)
		}
		_ = proto.DefineDataPropertySymbol(goja.SymToStringTag, vm.ToValue("Response"), goja.FLAG_FALSE, goja.FLAG_TRUE, goja.FLAG_FALSE)
		api.responseProto = proto
	}
	r.api = api
	obj := vm.NewDynamicObject(r)
	_ = obj.SetPrototype(api.responseProto)
	return obj
}

// readBody marks the body of this's response read and returns it, or returns a rejected promise
// when this is not a response or its body was read before.
func (api *fetchAPI) readBody(call goja.FunctionCall, method string) (*response, goja.Value) {
	vm := api.rt.vm
	obj, ok := call.This.(*goja.Object)
	if !ok || obj.ExportType() != responseType {
		panic(vm.NewTypeError("Response.prototype.%s called on %s, not on a Response", method, sdk.Describe(call.This)))
	}
	r := obj.Export().(*response)
	if r.bodyUsed {
		frames := vm.CaptureCallStack(maxErrorFrames, nil)
		msg := fmt.Sprintf("the body of the response from %s was already read: text(), json() and arrayBuffer() read it once (keep what the first call returned, or clone() the response first)", shortURL(r.res.URL))
		return nil, rejected(vm, api.newError(nil, "TypeError", msg, frames))
	}
	r.bodyUsed = true
	return r, nil
}

func (api *fetchAPI) responseText(call goja.FunctionCall) goja.Value {
	r, failed := api.readBody(call, "text")
	if failed != nil {
		return failed
	}
	return resolved(api.rt.vm, api.rt.vm.ToValue(string(r.res.Body)))
}

func (api *fetchAPI) responseArrayBuffer(call goja.FunctionCall) goja.Value {
	r, failed := api.readBody(call, "arrayBuffer")
	if failed != nil {
		return failed
	}
	return resolved(api.rt.vm, api.rt.vm.ToValue(api.rt.vm.NewArrayBuffer(bytes.Clone(r.res.Body))))
}

func (api *fetchAPI) responseJSON(call goja.FunctionCall) goja.Value {
	r, failed := api.readBody(call, "json")
	if failed != nil {
		return failed
	}
	vm := api.rt.vm
	text := strings.TrimPrefix(string(r.res.Body), "\uFEFF")
	value, err := api.rt.parse(goja.Undefined(), vm.ToValue(text))
	if err == nil {
		return resolved(vm, value)
	}
	var ex *goja.Exception
	if !errors.As(err, &ex) {
		panic(err) // interrupted
	}
	obj, _ := ex.Value().(*goja.Object)
	msg := "the response from " + shortURL(r.res.URL) + " is not valid JSON"
	details := fmt.Sprintf("status %d", r.res.Status)
	if ct := r.res.Header.Get("Content-Type"); ct != "" {
		details += ", Content-Type " + ct
	}
	if strings.TrimSpace(text) == "" {
		msg += " but an empty body (" + details + ")"
	} else {
		msg += fmt.Sprintf(" (%s): %s; it starts with %q", details, ex.Value().ToObject(vm).Get("message"), preview(text))
	}
	return rejected(vm, api.newError(obj, "SyntaxError", msg, vm.CaptureCallStack(maxErrorFrames, nil)))
}

func (api *fetchAPI) responseClone(call goja.FunctionCall) goja.Value {
	vm := api.rt.vm
	obj, ok := call.This.(*goja.Object)
	if !ok || obj.ExportType() != responseType {
		panic(vm.NewTypeError("Response.prototype.clone called on %s, not on a Response", sdk.Describe(call.This)))
	}
	r := obj.Export().(*response)
	if r.bodyUsed {
		panic(vm.NewTypeError("Response.clone: the body of the response from %s was already read", shortURL(r.res.URL)))
	}
	return api.newResponse(&response{res: r.res})
}

// preview is the start of a body for an error message.
func preview(s string) string {
	const max = 60
	if len(s) <= max {
		return s
	}
	cut := max
	for cut > 0 && !utf8.RuneStart(s[cut]) {
		cut--
	}
	return s[:cut] + "…"
}

func resolved(vm *goja.Runtime, v goja.Value) goja.Value {
	p, resolve, _ := vm.NewPromise()
	_ = resolve(v)
	return vm.ToValue(p)
}

func rejected(vm *goja.Runtime, reason goja.Value) goja.Value {
	p, _, reject := vm.NewPromise()
	_ = reject(reason)
	return vm.ToValue(p)
}
