// Package polling serves the live state to clients that ask for it: the
// snapshot with an ETag (conditional GET), short polls that answer at once
// and long polls that hold the request until something changes.
package polling
