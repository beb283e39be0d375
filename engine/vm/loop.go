package vm

import (
	"context"
	"reflect"
	"sync"

	"github.com/dop251/goja"
)

// promiseType is what goja reports as the export type of a promise.
var promiseType = reflect.TypeFor[*goja.Promise]()

// eventLoop lets host work that runs off the VM (network I/O) resume the script: the only way
// back into a runtime is a callback queued here and run on the runtime's own goroutine, as k6's
// event loop does. goja runs promise jobs itself whenever control returns from JavaScript, so
// the loop only has to wait for host callbacks.
type eventLoop struct {
	mu      sync.Mutex
	queue   []func()
	wake    chan struct{}
	pending int // host operations started and not yet queued back

	// yield and resume give the tenant's execution slot back while the loop waits for host
	// work, and take it again before JavaScript runs on (see Gate).
	yield  func()
	resume func() error
}

func (l *eventLoop) init() { l.wake = make(chan struct{}, 1) }

// hold registers one pending host operation and returns the function that queues its
// continuation. Call the returned function exactly once, from any goroutine.
func (l *eventLoop) hold() func(callback func()) {
	l.mu.Lock()
	l.pending++
	l.mu.Unlock()
	return func(callback func()) {
		l.mu.Lock()
		l.queue = append(l.queue, callback)
		l.mu.Unlock()
		select {
		case l.wake <- struct{}{}:
		default:
		}
	}
}

// settle waits until value, if it is a promise, is fulfilled or rejected, running queued host
// callbacks on the caller's goroutine (the runtime's). It returns the fulfilled value.
func (l *eventLoop) settle(ctx context.Context, vm *goja.Runtime, value goja.Value) (goja.Value, error) {
	obj, isObj := value.(*goja.Object)
	if !isObj || obj.ExportType() != promiseType {
		return value, nil // not a promise: no need to Export (which copies whole objects)
	}
	promise, ok := obj.Export().(*goja.Promise)
	if !ok {
		return value, nil
	}
	for promise.State() == goja.PromiseStatePending {
		l.mu.Lock()
		batch := l.queue
		l.queue = nil
		l.pending -= len(batch)
		idle := l.pending == 0 && len(batch) == 0
		l.mu.Unlock()
		if idle {
			return nil, &ScriptError{Message: "the handler's promise never settles: it awaits something that nothing will resolve"}
		}
		for _, callback := range batch {
			callback()
		}
		if len(batch) > 0 {
			continue
		}
		if l.yield != nil {
			l.yield()
		}
		select {
		case <-l.wake:
		case <-ctx.Done():
			return nil, &ScriptError{Message: ErrDeadline.Error(), interrupted: true}
		}
		if l.resume != nil {
			if err := l.resume(); err != nil {
				return nil, &ScriptError{Message: ErrDeadline.Error(), interrupted: true}
			}
		}
	}
	if promise.State() == goja.PromiseStateRejected {
		return nil, rejectionError(promise.Result())
	}
	return promise.Result(), nil
}
