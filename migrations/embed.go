// Package migrations holds the SQL schema of fachtag as golang-migrate files
// (NNNNNN_name.up.sql / .down.sql), embedded so the binary migrates itself.
package migrations

import "embed"

// FS holds every migration file.
//
//go:embed *.sql
var FS embed.FS
