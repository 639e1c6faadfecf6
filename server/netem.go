package server

// Network conditions for the demo page. The lab starts a toxiproxy proxy
// (package netcond) on loopback in front of its own listener; a page on
// this machine sends its panels' connections through it while conditions
// are on. The proxy forwards to the lab's ordinary listener, so every byte
// is still counted on the lab's own sockets, the same as without it.

import (
	"encoding/json"
	"errors"
	"log/slog"
	"net"
	"net/http"
	"strconv"
	"sync"
	"sync/atomic"
	"time"

	"github.com/pushlab/pushlab/apierror"
	"github.com/pushlab/pushlab/netcond"
)

// netem holds the lab's proxy and its conditions.
type netem struct {
	log *slog.Logger

	mu       sync.Mutex
	upstream string // the lab's listener, as the proxy dials it
	proxy    *netcond.Proxy
	closed   bool

	labPort   atomic.Value // string: the lab's own port
	proxyPort atomic.Value // string: the proxy's port, once it runs
}

func newNetem(log *slog.Logger) *netem {
	n := &netem{log: log}
	n.labPort.Store("")
	n.proxyPort.Store("")
	return n
}

// listening records where the lab serves; the proxy forwards there. A lab
// listening on every address is reached on loopback.
func (n *netem) listening(addr net.Addr) {
	tcp, ok := addr.(*net.TCPAddr)
	if !ok {
		return
	}
	ip := tcp.IP
	if ip.IsUnspecified() {
		ip = net.IPv4(127, 0, 0, 1)
		if tcp.IP.To4() == nil {
			ip = net.IPv6loopback
		}
	}
	n.mu.Lock()
	defer n.mu.Unlock()
	if n.upstream == "" {
		n.upstream = net.JoinHostPort(ip.String(), strconv.Itoa(tcp.Port))
		n.labPort.Store(strconv.Itoa(tcp.Port))
	}
}

// set applies c, starting the proxy the first time conditions are on.
// On any error the previous conditions stay.
func (n *netem) set(c netcond.Conditions) error {
	if err := c.Validate(); err != nil {
		return err
	}
	n.mu.Lock()
	defer n.mu.Unlock()
	if n.proxy == nil {
		if !c.Active() {
			return nil
		}
		if n.closed || n.upstream == "" {
			return errors.New("the lab is not serving")
		}
		// Loopback only: the proxy's connections arrive from 127.0.0.1, so
		// a proxy reachable from elsewhere would pass the loopback checks.
		listen := "127.0.0.1:0"
		if host, _, _ := net.SplitHostPort(n.upstream); net.ParseIP(host).To4() == nil {
			listen = "[::1]:0"
		}
		p, err := netcond.Start(listen, n.upstream)
		if err != nil {
			return err
		}
		n.proxy = p
		_, port, _ := net.SplitHostPort(p.Addr())
		n.proxyPort.Store(port)
		n.log.Info("network conditions proxy started", "addr", p.Addr(), "upstream", n.upstream)
	}
	return n.proxy.Set(c)
}

func (n *netem) conditions() netcond.Conditions {
	n.mu.Lock()
	defer n.mu.Unlock()
	if n.proxy == nil {
		return netcond.None
	}
	return n.proxy.Conditions()
}

// close stops the proxy, at shutdown.
func (n *netem) close() {
	n.mu.Lock()
	defer n.mu.Unlock()
	n.closed = true
	if n.proxy != nil {
		n.proxy.Close()
		n.proxy = nil
		n.proxyPort.Store("")
	}
}

// unproxied turns a Host that names the proxy's port into the lab's own:
// the proxy is a tunnel to this lab, so a page's origin checks (WebSocket
// Origin, CORS) must see the lab's host.
func (n *netem) unproxied(hostport string) string {
	pp := n.proxyPort.Load().(string)
	if pp == "" {
		return hostport
	}
	host, port, err := net.SplitHostPort(hostport)
	if err != nil || port != pp {
		return hostport
	}
	return net.JoinHostPort(host, n.labPort.Load().(string))
}

// unproxyHost is middleware: requests that came through the proxy carry
// the lab's own host from here on.
func (s *Server) unproxyHost(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		r.Host = s.netem.unproxied(r.Host)
		next.ServeHTTP(w, r)
	})
}

// netemSetting is a POST /api/netem body: a preset, or numbers (those
// left out keep their current value).
type netemSetting struct {
	Preset        *string  `json:"preset"`
	RTTms         *int64   `json:"rtt_ms"`
	JitterMS      *int64   `json:"jitter_ms"`
	BandwidthKbit *float64 `json:"bandwidth_kbit"` // 0 = not limited
}

type netemPreset struct {
	Name          string  `json:"name"`
	RTTms         int64   `json:"rtt_ms"`
	JitterMS      int64   `json:"jitter_ms"`
	BandwidthKbit float64 `json:"bandwidth_kbit"`
	Source        string  `json:"source"`
}

// netemView is what GET and POST /api/netem answer.
type netemView struct {
	RTTms         int64         `json:"rtt_ms"`
	JitterMS      int64         `json:"jitter_ms"`
	BandwidthKbit float64       `json:"bandwidth_kbit"`
	Active        bool          `json:"active"`
	Preset        string        `json:"preset,omitempty"` // the preset these are, if any
	ProxyPort     int           `json:"proxy_port,omitempty"`
	Presets       []netemPreset `json:"presets"`
}

func toView(c netcond.Conditions) netemPreset {
	return netemPreset{RTTms: c.RTT.Milliseconds(), JitterMS: c.Jitter.Milliseconds(), BandwidthKbit: c.Bandwidth / 1000}
}

func (s *Server) netemView() netemView {
	c := s.netem.conditions()
	cur := toView(c)
	v := netemView{RTTms: cur.RTTms, JitterMS: cur.JitterMS, BandwidthKbit: cur.BandwidthKbit, Active: c.Active()}
	v.ProxyPort, _ = strconv.Atoi(s.netem.proxyPort.Load().(string))
	for _, p := range netcond.Presets {
		pv := toView(p.Conditions)
		pv.Name, pv.Source = p.Name, p.Source
		v.Presets = append(v.Presets, pv)
		if p.Conditions == c {
			v.Preset = p.Name
		}
	}
	return v
}

// serveNetem serves GET and POST /api/netem. Like /api/config, a change is
// for the teacher at the machine: loopback clients and the lab's own pages.
func (s *Server) serveNetem(w http.ResponseWriter, r *http.Request) {
	if r.Method == http.MethodPost {
		if !s.teacherAtTheMachine(w, r, "network conditions") {
			return
		}
		c, msg := s.parseNetem(w, r)
		if msg != "" {
			s.log.Info("network conditions refused", "err", msg, "remote", r.RemoteAddr)
			apierror.Write(w, http.StatusBadRequest, msg)
			return
		}
		if err := s.netem.set(c); err != nil {
			s.log.Error("network conditions", "err", err)
			apierror.Write(w, http.StatusInternalServerError, err.Error())
			return
		}
		s.log.Info("network conditions changed", "rtt", c.RTT, "jitter", c.Jitter, "bandwidth_bps", c.Bandwidth, "remote", r.RemoteAddr)
	}
	writeJSON(w, http.StatusOK, s.netemView())
}

// parseNetem reads a setting; a non-empty message says what is wrong.
func (s *Server) parseNetem(w http.ResponseWriter, r *http.Request) (netcond.Conditions, string) {
	const want = `body: want {"preset":NAME} or {"rtt_ms":MS,"jitter_ms":MS,"bandwidth_kbit":KBIT}`
	var in netemSetting
	dec := json.NewDecoder(http.MaxBytesReader(w, r.Body, 4096))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&in); err != nil {
		return netcond.None, want
	}
	if in.Preset != nil {
		if in.RTTms != nil || in.JitterMS != nil || in.BandwidthKbit != nil {
			return netcond.None, "give a preset or numbers, not both"
		}
		p, ok := netcond.PresetNamed(*in.Preset)
		if !ok {
			return netcond.None, "preset: no preset named " + strconv.Quote(*in.Preset)
		}
		return p.Conditions, ""
	}
	for name, ms := range map[string]*int64{"rtt_ms": in.RTTms, "jitter_ms": in.JitterMS} {
		if ms != nil && (*ms < 0 || *ms > netcond.MaxRTT.Milliseconds()) {
			return netcond.None, name + ": 0 to 10000"
		}
	}
	c := s.netem.conditions()
	if in.RTTms != nil {
		c.RTT = time.Duration(*in.RTTms) * time.Millisecond
	}
	if in.JitterMS != nil {
		c.Jitter = time.Duration(*in.JitterMS) * time.Millisecond
	}
	if in.BandwidthKbit != nil {
		c.Bandwidth = *in.BandwidthKbit * 1000
	}
	if err := c.Validate(); err != nil {
		return netcond.None, err.Error()
	}
	return c, ""
}
