package bench

import (
	"fmt"
	"strconv"
	"strings"

	"github.com/pushlab/pushlab/bench/profile"
)

// The client profiles: whose request headers the simulated clients send.
const (
	// ProfileBrowser sends the headers Chromium sends for each of the demo
	// page's requests (package bench/profile holds them).
	ProfileBrowser ProfileName = "browser"
	// ProfileLean sends Go's own minimal headers: what the bench sent
	// before it had profiles.
	ProfileLean ProfileName = "lean"
)

// ProfileName names a client profile: browser or lean.
type ProfileName string

// Set reads --profile.
func (p *ProfileName) Set(s string) error {
	v := ProfileName(strings.TrimSpace(s))
	if v != ProfileBrowser && v != ProfileLean {
		return fmt.Errorf("want %s or %s, got %q", ProfileBrowser, ProfileLean, s)
	}
	*p = v
	return nil
}

func (p ProfileName) String() string { return string(p) }

// ClientProfile is the profile the clients ran with. Results written before
// the bench had profiles record none: their clients were lean.
func (sc Scenario) ClientProfile() ProfileName {
	if sc.Profile == "" {
		return ProfileLean
	}
	return sc.Profile
}

// Switch is an on/off parameter: --tls, --http1, --compress, --capacity.
// As a flag it needs no value; a reproducing command line writes it alone
// when on and leaves it out when off.
type Switch bool

// Set reads a boolean as the flag package does ("true", "1", ...).
func (s *Switch) Set(v string) error {
	b, err := strconv.ParseBool(strings.TrimSpace(v))
	if err != nil {
		return fmt.Errorf("want true or false, got %q", v)
	}
	*s = Switch(b)
	return nil
}

func (s Switch) String() string { return strconv.FormatBool(bool(s)) }

// IsBoolFlag lets `--tls` stand alone on a command line.
func (Switch) IsBoolFlag() bool { return true }

// Runs is how many times each sweep point runs: --repeat, at least 1
// (results from before --repeat record 0).
func (sc Scenario) Runs() int { return max(int(sc.Repeat), 1) }

// validateClientSide checks the parameters of clientside.go.
func (sc *Scenario) validateClientSide() error {
	var p ProfileName
	if err := p.Set(string(sc.Profile)); err != nil {
		return inputErrorf("profile: %v", err)
	}
	if sc.CookieBytes < 0 || sc.CookieBytes > profile.MaxCookieBytes {
		return inputErrorf("cookie-bytes: must be between 0 and %d, got %d", profile.MaxCookieBytes, sc.CookieBytes)
	}
	if sc.Repeat < 1 {
		return inputErrorf("repeat: must be at least 1, got %d", sc.Repeat)
	}
	https := strings.HasPrefix(sc.Target, "https://")
	if sc.TLS && sc.Target != "" && !https {
		return inputErrorf("tls: the target %s is plain http; give its https:// URL", sc.Target)
	}
	if sc.HTTP1 && !sc.TLS && !https {
		return inputErrorf("http1: needs --tls (plain HTTP is HTTP/1.1 already)")
	}
	return nil
}

// clientNote says in one line how the clients talked: their profile,
// cookie, the protocol each transport negotiated, what came compressed and
// how many runs each figure is the median of. Results from before profiles
// get none.
func clientNote(r *Results) string {
	sc := r.Scenario
	if sc.Profile == "" {
		return ""
	}
	var b strings.Builder
	fmt.Fprintf(&b, "clients: %s profile", sc.Profile)
	if sc.Profile == ProfileBrowser && r.Environment.Profile != "" {
		fmt.Fprintf(&b, ", %s", r.Environment.Profile)
	}
	if sc.CookieBytes > 0 {
		fmt.Fprintf(&b, ", %d-byte cookie", sc.CookieBytes)
	}
	var protos, packed []string
	if len(r.Points) > 0 {
		for _, t := range r.Points[0].Transports {
			if t.Protocol != "" {
				p := t.Transport + " " + t.Protocol
				if t.TLS {
					p += "+TLS"
				}
				protos = append(protos, p)
			}
			if t.Compressed {
				packed = append(packed, t.Transport)
			}
		}
	}
	if len(protos) > 0 {
		fmt.Fprintf(&b, "; %s", strings.Join(protos, ", "))
	}
	if len(packed) > 0 {
		fmt.Fprintf(&b, "; compressed: %s", strings.Join(packed, ", "))
	}
	if n := sc.Runs(); n > 1 {
		fmt.Fprintf(&b, "; every figure is the median of %d runs (their ranges are in results.json)", n)
	}
	return b.String()
}
