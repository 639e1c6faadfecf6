package held

import (
	"net"
	"os"
	"sync"
	"syscall"

	"golang.org/x/sys/unix"
)

// Watcher tells when a held connection that nobody reads from (an SSE or
// floor stream, a parked long poll) has something to read: its client going
// away, or bytes it had no business sending yet. It keeps them all in one
// epoll set, watched by one goroutine, instead of a goroutine per connection
// blocked in Read, whose stack would be most of an idle connection's cost;
// this is how gobwas/ws servers (with mailru/easygo's netpoll) hold a
// million connections.
//
// Each connection is registered under an id of its own rather than its file
// descriptor, which the kernel may reuse, for one event (EPOLLONESHOT), or,
// in a watcher made with edge, for every event from then on (EPOLLET),
// which saves re-arming it after each one: a connection that is read
// between events (a kept long poll's, in package polling) is told of each
// new arrival without a system call of its own.
type Watcher struct {
	edge bool
	epfd int
	file *os.File // epfd in Go's poller, for an edge watcher (Run)
	wake int      // an eventfd, registered as id 0: written to stop Run

	mu   sync.Mutex
	byID map[uint64]Watched
	last uint64
}

// NewWatcher returns a watcher; Run runs it. It fails where epoll is not
// available, and callers then watch by reading (ReadUntilGone). With edge,
// a connection's owner is told of every event until Remove, and one that
// takes a registration over (Rearm) must look at the socket itself: what
// came before went to the previous owner.
func NewWatcher(edge bool) (*Watcher, error) {
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
	w := &Watcher{edge: edge, epfd: epfd, wake: wake, byID: make(map[uint64]Watched)}
	// An edge watcher waits in Go's poller (Run), which takes only a
	// non-blocking descriptor; os.File owns it then, and closes it.
	if edge && unix.SetNonblock(epfd, true) == nil {
		w.file = os.NewFile(uintptr(epfd), "epoll")
	}
	return w, nil
}

// Add watches c for who, registered at reg; false when it cannot (no
// socket beneath, or already closed), and the caller must watch otherwise.
func (w *Watcher) Add(c net.Conn, who Watched, reg *Watch) bool {
	if w == nil {
		return false
	}
	rc := rawConn(c)
	if rc == nil {
		return false
	}
	w.mu.Lock()
	w.last++
	id := w.last
	w.byID[id] = who
	w.mu.Unlock()
	reg.id.Store(id)
	ev := w.event(id)
	var cerr error
	// Control holds the descriptor open while it runs: a connection closed
	// meanwhile fails here rather than registering a reused descriptor.
	err := rc.Control(func(fd uintptr) { cerr = unix.EpollCtl(w.epfd, unix.EPOLL_CTL_ADD, int(fd), &ev) })
	if err != nil || cerr != nil {
		w.forget(reg)
		return false
	}
	return true
}

// Rearm watches c again, for who, for one more event: after its owner has
// read what woke it, or when the connection changes owner (see Watch.Move).
// A registration that has not fired yet only changes owner, without a
// system call. False when c is no longer watched (removed, or closed).
func (w *Watcher) Rearm(c net.Conn, who Watched, reg *Watch) bool {
	if w == nil {
		return false
	}
	rc := rawConn(c)
	id := reg.id.Load()
	if rc == nil || id == 0 {
		return false
	}
	w.mu.Lock()
	if reg.id.Load() != id { // removed meanwhile
		w.mu.Unlock()
		return false
	}
	_, armed := w.byID[id]
	w.byID[id] = who
	w.mu.Unlock()
	if armed || w.edge {
		return true
	}
	ev := w.event(id)
	var cerr error
	err := rc.Control(func(fd uintptr) { cerr = unix.EpollCtl(w.epfd, unix.EPOLL_CTL_MOD, int(fd), &ev) })
	return err == nil && cerr == nil
}

// event is what a connection is watched for: one readable (or hung up)
// event, under its id.
func (w *Watcher) event(id uint64) unix.EpollEvent {
	flags := uint32(unix.EPOLLIN | unix.EPOLLRDHUP | unix.EPOLLONESHOT)
	if w.edge {
		flags = unix.EPOLLIN | unix.EPOLLRDHUP | unix.EPOLLET
	}
	return unix.EpollEvent{Events: flags, Fd: int32(uint32(id)), Pad: int32(uint32(id >> 32))}
}

// Remove stops watching c (registered at reg), before c is closed or read
// from again. It may be called more than once.
func (w *Watcher) Remove(c net.Conn, reg *Watch) {
	if w == nil || !w.forget(reg) {
		return
	}
	if rc := rawConn(c); rc != nil {
		rc.Control(func(fd uintptr) { unix.EpollCtl(w.epfd, unix.EPOLL_CTL_DEL, int(fd), nil) })
	}
}

func (w *Watcher) forget(reg *Watch) bool {
	id := reg.id.Swap(0)
	if id == 0 {
		return false
	}
	w.mu.Lock()
	delete(w.byID, id)
	w.mu.Unlock()
	return true
}

// Run waits for events until Stop, and tells each stirred connection's
// owner; it is the watcher's one goroutine. An edge watcher, told of every
// request a kept long poll's client sends, waits in Go's own poller (an
// epoll set is itself readable when it holds events) rather than in a
// blocking epoll_wait: a thread blocked in a system call makes the
// scheduler hand its processor over and take it back at every wake-up,
// which at 10,000 requests a second costs a third of the poller's CPU.
func (w *Watcher) Run() {
	events := make([]unix.EpollEvent, 128)
	if w.file != nil && w.runPolled(events) {
		return
	}
	for {
		n, err := unix.EpollWait(w.epfd, events, -1)
		if err == unix.EINTR {
			continue
		}
		if err != nil || !w.tell(events[:n]) {
			return
		}
	}
}

// runPolled waits for events in Go's poller until Stop; false when the
// poller cannot wait on the set, and Run waits in epoll_wait instead.
func (w *Watcher) runPolled(events []unix.EpollEvent) bool {
	rc, err := w.file.SyscallConn()
	if err != nil {
		return false
	}
	stopped := false
	err = rc.Read(func(fd uintptr) bool {
		for {
			n, err := unix.EpollWait(int(fd), events, 0)
			switch {
			case err == unix.EINTR:
				continue
			case err != nil:
				stopped = true
				return true
			case n == 0:
				return false // nothing ready: wait until the set is readable
			case !w.tell(events[:n]):
				stopped = true
				return true
			}
		}
	})
	return stopped || err == nil
}

// tell tells the owners of the connections that stirred; false when the
// watcher is to stop.
func (w *Watcher) tell(events []unix.EpollEvent) bool {
	for _, ev := range events {
		id := uint64(uint32(ev.Fd)) | uint64(uint32(ev.Pad))<<32
		if id == 0 {
			return false
		}
		w.mu.Lock()
		who := w.byID[id]
		if !w.edge {
			delete(w.byID, id) // one event each: the owner's Rearm arms it again
		}
		w.mu.Unlock()
		if who != nil {
			who.Stirred(ev.Events&(unix.EPOLLRDHUP|unix.EPOLLHUP|unix.EPOLLERR) != 0)
		}
	}
	return true
}

// Stop ends Run; the caller waits for it, then calls Release.
func (w *Watcher) Stop() {
	if w != nil {
		unix.Write(w.wake, []byte{1, 0, 0, 0, 0, 0, 0, 0})
	}
}

// Release closes the epoll set, once Run has returned.
func (w *Watcher) Release() {
	if w != nil {
		if w.file != nil {
			w.file.Close()
		} else {
			unix.Close(w.epfd)
		}
		unix.Close(w.wake)
	}
}

// rawConn is the socket beneath c, if it has one.
func rawConn(c net.Conn) syscall.RawConn {
	if hc, ok := c.(*Conn); ok {
		c = hc.Conn
	}
	sc, ok := c.(syscall.Conn)
	if !ok {
		return nil
	}
	rc, err := sc.SyscallConn()
	if err != nil {
		return nil
	}
	return rc
}
