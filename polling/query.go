package polling

import (
	"errors"
	"net/url"
	"strconv"
	"time"

	"github.com/pushlab/pushlab/state"
)

// MaxWait is the longest a long poll may be held.
const MaxWait = 60 * time.Second

// PollQuery is what a poll asks: the version held and how long to wait.
type PollQuery struct {
	Since     uint64
	HaveSince bool          // false: the client holds nothing yet
	Wait      time.Duration // 0: short poll
}

// ParsePollQuery reads ?since=V&wait=D. wait is a Go duration ("25s") or a
// number of seconds, at most MaxWait.
func ParsePollQuery(q url.Values) (PollQuery, error) {
	var pq PollQuery
	var err error
	pq.Since, pq.HaveSince, err = state.ParseVersion(q.Get("since"))
	if err != nil {
		return pq, errors.New("since: " + err.Error())
	}
	pq.Wait, err = ParseWait(q.Get("wait"))
	return pq, err
}

// ParseWait reads a long-poll wait: "", "0", "25s", "1m" or "25" (seconds).
func ParseWait(s string) (time.Duration, error) {
	if s == "" {
		return 0, nil
	}
	d, err := time.ParseDuration(s)
	if err != nil {
		n, err2 := strconv.ParseFloat(s, 64)
		if err2 != nil || len(s) > 32 {
			return 0, errors.New(`wait: want a duration like "25s"`)
		}
		if n < 0 || n > MaxWait.Seconds() {
			return 0, errors.New("wait: must be between 0 and 60s")
		}
		d = time.Duration(n * float64(time.Second))
	}
	if d < 0 || d > MaxWait {
		return 0, errors.New("wait: must be between 0 and 60s")
	}
	return d, nil
}

// IsLongPoll reports whether a poll's query asks to wait: how the server
// tells a long poll from a short one when counting transports.
func IsLongPoll(q url.Values) bool {
	d, err := ParseWait(q.Get("wait"))
	return err == nil && d > 0
}
