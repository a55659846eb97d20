package main

import (
	"errors"
	"runtime"
	"sync/atomic"
	"syscall"
	"time"

	"golang.org/x/sys/unix"
)

// readConsoles reads every console from one epoll loop on its own thread:
// one read call per event and console, one clock reading per wake, no
// goroutine per console. The tool shares the machine with the gateway it
// measures, so what it spends reading 1,000 consoles is taken from the
// fan-out it times. stop ends the loop and closes the consoles.
func readConsoles(consoles []*console) (stop func()) {
	ep, err := unix.EpollCreate1(unix.EPOLL_CLOEXEC)
	if err != nil {
		return readEach(consoles)
	}
	byFD := make(map[int32]*console, len(consoles))
	for _, c := range consoles {
		fd, err := watch(ep, c)
		if err != nil {
			unix.Close(ep)
			return readEach(consoles)
		}
		byFD[fd] = c
	}
	var quit atomic.Bool
	done := make(chan struct{})
	go func() {
		defer close(done)
		runtime.LockOSThread()
		defer runtime.UnlockOSThread()
		pollConsoles(ep, byFD, &quit)
	}()
	return func() {
		quit.Store(true)
		<-done
		unix.Close(ep)
		for _, c := range consoles {
			c.conn.Close()
		}
	}
}

// watch adds c's socket to ep (level-triggered: data left unread is
// reported again) and returns its descriptor.
func watch(ep int, c *console) (int32, error) {
	sc, ok := c.conn.(syscall.Conn)
	if !ok {
		return 0, errors.ErrUnsupported
	}
	raw, err := sc.SyscallConn()
	if err != nil {
		return 0, err
	}
	var fd int32
	var addErr error
	err = raw.Control(func(f uintptr) {
		fd = int32(f)
		addErr = unix.EpollCtl(ep, unix.EPOLL_CTL_ADD, int(f), &unix.EpollEvent{Events: unix.EPOLLIN | unix.EPOLLRDHUP, Fd: fd})
	})
	return fd, errors.Join(err, addErr)
}

// pollConsoles reads whatever the consoles received until quit is set
// (checked at least every 50 ms); a console that ends is dropped.
func pollConsoles(ep int, byFD map[int32]*console, quit *atomic.Bool) {
	events := make([]unix.EpollEvent, 256)
	buf := make([]byte, 64<<10)
	for !quit.Load() {
		n, err := unix.EpollWait(ep, events, 50)
		if errors.Is(err, unix.EINTR) {
			continue
		}
		if err != nil {
			return
		}
		now := time.Now()
		for _, ev := range events[:n] {
			k, err := unix.Read(int(ev.Fd), buf)
			if k > 0 {
				byFD[ev.Fd].take(buf[:k], now)
			}
			if k == 0 || err != nil && !errors.Is(err, unix.EAGAIN) {
				_ = unix.EpollCtl(ep, unix.EPOLL_CTL_DEL, int(ev.Fd), nil)
			}
		}
	}
}
