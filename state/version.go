package state

import (
	"errors"
	"strconv"
)

// ErrBadVersion is returned for a version that is not a decimal uint64.
var ErrBadVersion = errors.New("version must be a non-negative integer")

// ParseVersion reads a version as clients send it (?since=, Last-Event-ID).
// The empty string means the client holds nothing: ok is false.
func ParseVersion(s string) (v uint64, ok bool, err error) {
	if s == "" {
		return 0, false, nil
	}
	if len(s) > 20 || s[0] == '+' || s[0] == '-' {
		return 0, false, ErrBadVersion
	}
	v, err = strconv.ParseUint(s, 10, 64)
	if err != nil {
		return 0, false, ErrBadVersion
	}
	return v, true, nil
}
