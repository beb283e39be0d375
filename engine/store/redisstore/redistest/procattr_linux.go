package redistest

import "syscall"

// procAttr kills redis-server when the test binary dies without cleaning up (a test timeout).
func procAttr() *syscall.SysProcAttr {
	return &syscall.SysProcAttr{Pdeathsig: syscall.SIGKILL}
}
