package push

import (
	"sync"
	"syscall"

	"golang.org/x/sys/unix"
)

// watcher tells the hub when a stream that its client never writes to (SSE,
// the floor) has something to read: the client going away, or bytes it had
// no business sending. It keeps them all in one epoll set, watched by one
// goroutine, instead of a goroutine per connection blocked in Read, whose
// stack would be most of an idle connection's cost; this is how gobwas/ws
// servers (with mailru/easygo's netpoll) hold a million connections.
//
// Each connection is registered for one event (EPOLLONESHOT) under an id of
// its own rather than its file descriptor, which the kernel may reuse.
type watcher struct {
	epfd int
	wake int // an eventfd, registered as id 0: written to stop run

	mu   sync.Mutex
	subs map[uint64]*subscriber
	last uint64
}

func newWatcher() (*watcher, error) {
	epfd, err := unix.EpollCreate1(unix.EPOLL_CLOEXEC)
	if err != nil {
		return nil, err
	}
	wake, err := unix.Eventfd(0, unix.EFD_CLOEXEC|unix.EFD_NONBLOCK)
	if err != nil {
		unix.Close(epfd)
		return nil, err
	}
	if err := unix.EpollCtl(epfd, unix.EPOLL_CTL_ADD, wake, &unix.EpollEvent{Events: unix.EPOLLIN}); err != nil {
		unix.Close(epfd)
		unix.Close(wake)
		return nil, err
	}
	return &watcher{epfd: epfd, wake: wake, subs: make(map[uint64]*subscriber)}, nil
}

// add watches s's connection; false when it cannot (not a socket of this
// process, or already closed), and the caller must watch it otherwise.
func (w *watcher) add(s *subscriber) bool {
	if w == nil {
		return false
	}
	rc := rawConn(s)
	if rc == nil {
		return false
	}
	w.mu.Lock()
	w.last++
	id := w.last
	w.subs[id] = s
	w.mu.Unlock()
	s.watch.Store(id)
	ev := unix.EpollEvent{Events: unix.EPOLLIN | unix.EPOLLRDHUP | unix.EPOLLONESHOT, Fd: int32(uint32(id)), Pad: int32(uint32(id >> 32))}
	var cerr error
	// Control holds the descriptor open while it runs: a connection closed
	// meanwhile fails here rather than registering a reused descriptor.
	err := rc.Control(func(fd uintptr) { cerr = unix.EpollCtl(w.epfd, unix.EPOLL_CTL_ADD, int(fd), &ev) })
	if err != nil || cerr != nil {
		w.forget(s)
		return false
	}
	return true
}

// remove stops watching s, before its connection closes.
func (w *watcher) remove(s *subscriber) {
	if w == nil || !w.forget(s) {
		return
	}
	if rc := rawConn(s); rc != nil {
		rc.Control(func(fd uintptr) { unix.EpollCtl(w.epfd, unix.EPOLL_CTL_DEL, int(fd), nil) })
	}
}

func (w *watcher) forget(s *subscriber) bool {
	id := s.watch.Swap(0)
	if id == 0 {
		return false
	}
	w.mu.Lock()
	delete(w.subs, id)
	w.mu.Unlock()
	return true
}

// run waits for events until stop. A connection that stirs is ended: its
// client left (EPOLLRDHUP, EPOLLHUP, EPOLLERR) or wrote to a stream that
// only reads.
func (w *watcher) run() {
	events := make([]unix.EpollEvent, 128)
	for {
		n, err := unix.EpollWait(w.epfd, events, -1)
		if err == unix.EINTR {
			continue
		}
		if err != nil {
			return
		}
		for _, ev := range events[:n] {
			id := uint64(uint32(ev.Fd)) | uint64(uint32(ev.Pad))<<32
			if id == 0 {
				return
			}
			w.mu.Lock()
			s := w.subs[id]
			w.mu.Unlock()
			if s == nil {
				continue
			}
			if ev.Events&(unix.EPOLLRDHUP|unix.EPOLLHUP|unix.EPOLLERR) == 0 {
				s.hub.log.Info("push client closed", "transport", s.kind.name, "code", disconnectSpoke.Code,
					"reason", disconnectSpoke.Reason, "client", s.client, "remote", s.remote)
			}
			s.end()
		}
	}
}

// stop ends run; the caller waits for it, then calls release.
func (w *watcher) stop() {
	if w != nil {
		unix.Write(w.wake, []byte{1, 0, 0, 0, 0, 0, 0, 0})
	}
}

func (w *watcher) release() {
	if w != nil {
		unix.Close(w.epfd)
		unix.Close(w.wake)
	}
}

// rawConn is the socket beneath s's connection, if it has one.
func rawConn(s *subscriber) syscall.RawConn {
	sc, ok := s.conn.Conn.(syscall.Conn)
	if !ok {
		return nil
	}
	rc, err := sc.SyscallConn()
	if err != nil {
		return nil
	}
	return rc
}
