package vm

import "time"

// Workers runs calls on goroutines kept between calls. Every call still runs on a goroutine
// apart from its caller's (see Program.Run), but on a warm one: goja's interpreter runs deep in
// the Go stack, and a fresh goroutine grew and copied its stack on every call. A worker idle
// for longer than the pool's idle time ends, so a burst leaves no goroutines behind.
type Workers struct {
	tasks    chan func()
	idleTime time.Duration
}

// NewWorkers makes a pool whose workers end after idleTime without a call.
func NewWorkers(idleTime time.Duration) *Workers {
	return &Workers{tasks: make(chan func()), idleTime: idleTime}
}

// Go runs task on an idle worker, or on a new one if none is idle. A nil pool runs every task
// on a new goroutine.
func (w *Workers) Go(task func()) {
	if w == nil {
		go task()
		return
	}
	select {
	case w.tasks <- task:
	default:
		go w.work(task)
	}
}

func (w *Workers) work(task func()) {
	idle := time.NewTimer(w.idleTime)
	defer idle.Stop()
	for {
		task()
		task = nil // do not keep the finished call reachable while idle
		idle.Reset(w.idleTime)
		select {
		case task = <-w.tasks:
		case <-idle.C:
			return
		}
	}
}
