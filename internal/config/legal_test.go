package config

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestLegalSettings(t *testing.T) {
	dir := t.TempDir()
	text := filepath.Join(dir, "datenschutz.txt")
	if err := os.WriteFile(text, []byte("Wir verarbeiten Ihre Daten.\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	blank := filepath.Join(dir, "leer.txt")
	if err := os.WriteFile(blank, []byte(" \n"), 0o644); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name    string
		env     map[string]string
		want    Config
		wantErr []string
	}{
		{"none", nil, Config{}, nil},
		{"text and address", map[string]string{"PRIVACY_FILE": text, "IMPRINT_URL": "https://example.org/impressum"},
			Config{Privacy: Legal{Text: "Wir verarbeiten Ihre Daten.\n"}, Imprint: Legal{URL: "https://example.org/impressum"}}, nil},
		{"both for one", map[string]string{"PRIVACY_FILE": text, "PRIVACY_URL": "https://example.org/ds"}, Config{},
			[]string{"PRIVACY_URL, PRIVACY_FILE: set one of them, not both"}},
		{"bad values", map[string]string{"PRIVACY_URL": "/datenschutz", "IMPRINT_FILE": filepath.Join(dir, "fehlt.txt")}, Config{},
			[]string{`PRIVACY_URL: "/datenschutz" is not an absolute http(s) URL`, "IMPRINT_FILE:"}},
		{"empty file", map[string]string{"IMPRINT_FILE": blank}, Config{}, []string{"IMPRINT_FILE: " + blank + " must be a non-empty UTF-8 text"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Setenv("DATABASE_URL", "postgres://x@localhost/db")
			for _, k := range []string{"PRIVACY_URL", "PRIVACY_FILE", "IMPRINT_URL", "IMPRINT_FILE"} {
				t.Setenv(k, tt.env[k])
			}
			c, err := FromEnv()
			if len(tt.wantErr) == 0 {
				if err != nil {
					t.Fatalf("FromEnv: %v", err)
				}
				if c.Privacy != tt.want.Privacy || c.Imprint != tt.want.Imprint {
					t.Errorf("privacy %+v, imprint %+v; want %+v, %+v", c.Privacy, c.Imprint, tt.want.Privacy, tt.want.Imprint)
				}
				return
			}
			for _, want := range tt.wantErr {
				if err == nil || !strings.Contains(err.Error(), want) {
					t.Errorf("error %v does not say %q", err, want)
				}
			}
		})
	}
}
