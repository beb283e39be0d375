package scripttest

import (
	"errors"
	"fmt"
	"log/slog"
	"net/url"
	"reflect"
	"strings"
	"time"

	"github.com/dop251/goja"

	"github.com/callscript/callscript/engine/vm"
)

// newHost builds the object "callscript/test" reaches the runner through.
func (f *fileRun) newHost() *goja.Object {
	rt := f.vm
	h := rt.NewObject()
	set := func(name string, v any) { _ = h.Set(name, v) }
	set("tenant", f.t.id)
	set("version", f.t.version)
	set("register", f.hostRegister)
	set("where", func() goja.Value {
		if p, ok := f.where(); ok {
			return rt.ToValue(p.String())
		}
		return goja.Null()
	})
	set("tag", func(err, site, detail goja.Value) {
		obj, ok := err.(*goja.Object)
		if !ok {
			return
		}
		t := tag{}
		if !goja.IsNull(site) && !goja.IsUndefined(site) {
			t.site = parsePosition(site.String())
		}
		if detail != nil && !goja.IsUndefined(detail) && !goja.IsNull(detail) {
			t.detail = detail.String()
		}
		f.tags[obj] = t
	})
	set("locate", func(err goja.Value) goja.Value {
		if obj, ok := err.(*goja.Object); ok {
			if p, _ := f.locateStack(stackText(obj)); p.File != "" {
				return rt.ToValue(p.String())
			}
		}
		return goja.Null()
	})
	set("stackOf", func(err goja.Value) string {
		if obj, ok := err.(*goja.Object); ok {
			_, frames := f.locateStack(stackText(obj))
			return frames
		}
		return ""
	})
	set("setFetch", func(fn goja.Value) {
		f.fetchImpl, _ = goja.AssertFunction(fn)
	})
	set("setReset", func(fn goja.Value) {
		f.reset, _ = goja.AssertFunction(fn)
	})
	set("checkFetchURL", f.checkFetchURL)
	set("bytesText", f.bytesText)
	set("textBytes", func(s string) goja.Value { return rt.ToValue(rt.NewArrayBuffer([]byte(s))) })
	set("clockSet", func(ms float64) {
		t := time.UnixMilli(int64(ms))
		f.clockAt = &t
	})
	set("clockAdvance", func(ms float64) {
		t := f.now().Add(time.Duration(ms * float64(time.Millisecond)))
		f.clockAt = &t
	})
	set("clockReset", func() { f.clockAt = nil })
	set("checkHandler", func(handler, site goja.Value) {
		if _, err := vm.ResolveHandler(handler); err != nil {
			f.throwAt(rt.NewTypeError("simulateCall: "+err.Error()), site)
		}
	})
	set("tenantHandler", func() goja.Value {
		if f.tenantHandler == nil {
			panic(rt.NewTypeError("simulateCall: the tenant's handler is not loaded yet: call simulateCall inside a test, or pass the handler (import handler from \"./index\")"))
		}
		return f.tenantHandler
	})
	set("prepare", f.prepare)
	return h
}

// throwAt throws err from a host function, located at site (a where() string, or null).
func (f *fileRun) throwAt(err *goja.Object, site goja.Value) {
	t := tag{}
	if site != nil && !goja.IsNull(site) && !goja.IsUndefined(site) {
		t.site = parsePosition(site.String())
	}
	f.tags[err] = t
	panic(err)
}

// hostRegister records a test: register(name, fn, timeoutMs, mode).
func (f *fileRun) hostRegister(name string, fn goja.Value, timeoutMs float64, mode string) {
	if f.running {
		panic(f.vm.NewTypeError(fmt.Sprintf("test(%q): tests must be registered at the top level of the file (or in describe), not inside another test", name)))
	}
	callable, ok := goja.AssertFunction(fn)
	if !ok {
		panic(f.vm.NewTypeError(fmt.Sprintf("test(%q): the second argument must be the test function", name)))
	}
	pos, _ := f.where()
	f.tests = append(f.tests, &registered{
		name:    name,
		fn:      callable,
		pos:     pos,
		timeout: time.Duration(timeoutMs * float64(time.Millisecond)),
		mode:    mode,
	})
}

// fetchGlobal is the global fetch, and ctx.fetch: "callscript/test" answers it from the
// test's mock.
func (f *fileRun) fetchGlobal(call goja.FunctionCall) goja.Value {
	if f.fetchImpl == nil {
		promise, _, reject := f.vm.NewPromise()
		_ = reject(f.vm.NewTypeError("fetch: not available before \"callscript/test\" is loaded; import it before the modules that fetch at their top level"))
		return f.vm.ToValue(promise)
	}
	v, err := f.fetchImpl(goja.Undefined(), call.Arguments...)
	if err != nil {
		panic(err)
	}
	return v
}

// checkFetchURL applies to a URL the checks and the tenant's fetch policy that the server's
// fetch applies (engine/fetch, Tenant.Fetch), with the same reasons. It returns {url, problem}:
// the URL normalized, or why the server would refuse it.
func (f *fileRun) checkFetchURL(raw string) goja.Value {
	out := f.vm.NewObject()
	problem := ""
	u, err := url.Parse(raw)
	switch {
	case err != nil:
		var ue *url.Error
		if errors.As(err, &ue) {
			err = ue.Err
		}
		problem = fmt.Sprintf("not a valid URL (%v)", err)
	case u.Scheme == "":
		problem = "not an absolute URL: write the whole URL, such as https://api.example.com/path"
	case u.Scheme != "http" && u.Scheme != "https":
		problem = fmt.Sprintf("the URL must start with http:// or https:// (it starts with %q)", u.Scheme+":")
	case u.Host == "":
		problem = "the URL has no host: write the whole URL, such as https://api.example.com/path"
	case !f.t.settings.Fetch.Allows(u.Hostname()):
		problem = fmt.Sprintf("host %s is not in this tenant's fetch.allow (tenant.json)", u.Hostname())
		if len(f.t.settings.Fetch.Allow) == 0 {
			problem += ", which lists no hosts: fetch reaches only the hosts listed there"
		}
	case u.User != nil:
		problem = "the URL carries a user name or password: send credentials in an Authorization header instead"
	}
	if problem != "" {
		_ = out.Set("problem", problem)
		return out
	}
	_ = out.Set("url", u.String())
	return out
}

// bytesText returns the bytes of an ArrayBuffer, typed array or DataView as a string (a body
// the script sends), or null when v is none of those.
func (f *fileRun) bytesText(v goja.Value) goja.Value {
	obj, ok := v.(*goja.Object)
	if !ok {
		return goja.Null()
	}
	if buf, ok := obj.Export().(goja.ArrayBuffer); ok {
		return f.vm.ToValue(string(buf.Bytes()))
	}
	typ := obj.ExportType()
	isView := typ != nil && typ.Kind() == reflect.Slice && typ.Elem().Kind() != reflect.Interface
	if tag := obj.GetSymbol(goja.SymToStringTag); tag != nil && tag.String() == "DataView" {
		isView = true
	}
	var data []byte
	if isView && f.vm.ExportTo(obj, &data) == nil {
		return f.vm.ToValue(string(data))
	}
	return goja.Null()
}

// write adds a line written through console or ctx.log to the current test's log.
func (f *fileRun) write(level slog.Level, msg, fields string) {
	if len(f.logs) >= maxLogLines {
		f.dropped++
		return
	}
	if len(msg) > maxLogMessage {
		msg = msg[:maxLogMessage] + "…(truncated)"
	}
	line := logLine{level: strings.ToLower(level.String()), message: msg, fields: fields}
	if p, ok := f.where(); ok {
		line.source = fmt.Sprintf("%s:%d", p.File, p.Line)
	}
	f.logs = append(f.logs, line)
}
