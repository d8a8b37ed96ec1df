// Package web holds the HTML templates and static assets of fachtag's
// pages, embedded into the binary.
package web

import "embed"

// FS holds templates/*.html, static/* and widget/embed.js (served at
// /embed.js with the installation's address filled in).
//
//go:embed templates static widget
var FS embed.FS
