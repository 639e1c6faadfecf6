// Package polling serves the live state to clients that ask for it: the
// snapshot with an ETag (conditional GET), short polls that answer at once
// and long polls that hold the request until something changes, outside
// net/http once they wait (park.go), and their repeats there too (kept.go).
package polling
