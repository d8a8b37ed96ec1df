// Package web holds the HTML templates and static assets of fachtag's
// pages, embedded into the binary.
package web

import "embed"

// FS holds templates/*.html and static/*.
//
//go:embed templates static
var FS embed.FS
