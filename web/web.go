// Package web embeds the teaching demo page, so the lab runs from one binary
// with no build step and no internet.
//
// The page (static/index.html and static/js/) is plain HTML, CSS and ES
// modules. It is a real client of the server it is loaded from: it uses
// relative URLs and location.host only, so it works on any port. The page
// never imports anything from outside this folder.
package web

import (
	"embed"
	"io/fs"
	"net/http"
)

//go:embed static
var static embed.FS

// Handler serves the demo page and its assets.
func Handler() http.Handler {
	sub, err := fs.Sub(static, "static")
	if err != nil {
		panic(err) // the embed pattern above guarantees the folder
	}
	files := http.FileServerFS(sub)
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		// Embedded files carry no modification time, so nothing tells a
		// browser that a new binary brought a new page: make it revalidate.
		w.Header().Set("Cache-Control", "no-cache")
		files.ServeHTTP(w, r)
	})
}
