package config

import (
	"fmt"
	"strings"
	"testing"
)

func TestFromEnv(t *testing.T) {
	tests := []struct {
		name    string
		env     map[string]string
		wantErr []string // substrings of the error; none means valid
	}{
		{"defaults", map[string]string{"DATABASE_URL": "postgres://x@localhost/db"}, nil},
		{"missing database", map[string]string{}, []string{"DATABASE_URL: required"}},
		{"everything wrong at once", map[string]string{
			"BASE_URL": "ftp://x", "SMTP_TLS": "ssl", "SMTP_PORT": "seventy", "MAIL_FROM": "not an address",
			"RATE_LIMIT_PER_MINUTE": "-1", "MAIL_WORKERS": "0", "SIGNUP_CONCURRENCY": "0", "LOG_FORMAT": "xml", "SHUTDOWN_DELAY": "5",
			"TRUSTED_PROXIES": "10.0.0.0/8, proxy", "TRUST_PROXY": "true", "WEBHOOK_ALLOW_HOSTS": "hooks.test, http://x",
		}, []string{"DATABASE_URL", "BASE_URL", "SMTP_TLS", "SMTP_PORT", "MAIL_FROM", "RATE_LIMIT_PER_MINUTE", "MAIL_WORKERS",
			"SIGNUP_CONCURRENCY", "LOG_FORMAT", "SHUTDOWN_DELAY", `TRUSTED_PROXIES: "proxy"`, "TRUST_PROXY: replaced", `WEBHOOK_ALLOW_HOSTS: "http://x"`}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			for _, k := range []string{"DATABASE_URL", "HTTP_ADDR", "BASE_URL", "SMTP_HOST", "SMTP_PORT", "SMTP_TLS",
				"MAIL_FROM", "RATE_LIMIT_PER_MINUTE", "MAIL_WORKERS", "MAIL_RATE_PER_SECOND", "SIGNUP_CONCURRENCY", "SHUTDOWN_TIMEOUT_SECONDS",
				"LOG_FORMAT", "SHUTDOWN_DELAY", "TRUSTED_PROXIES", "TRUST_PROXY", "METRICS_ADDR", "WEBHOOK_ALLOW_HOSTS"} {
				t.Setenv(k, tt.env[k])
			}
			c, err := FromEnv()
			if len(tt.wantErr) == 0 {
				if err != nil {
					t.Fatalf("FromEnv: %v", err)
				}
				if c.HTTPAddr != "127.0.0.1:8080" || c.BaseURL != "http://127.0.0.1:8080" || c.RateLimitPerMinute != 20 {
					t.Errorf("defaults: got %+v", c)
				}
				return
			}
			if err == nil {
				t.Fatal("FromEnv: got no error")
			}
			for _, want := range tt.wantErr {
				if !strings.Contains(err.Error(), want) {
					t.Errorf("error %q does not name %s", err, want)
				}
			}
		})
	}
}

func TestLogValueHidesSecrets(t *testing.T) {
	c := Config{DatabaseURL: "postgres://app:s3cret@db/fachtag", SMTPPassword: "hunter2"}
	got := fmt.Sprint(c.LogValue())
	if strings.Contains(got, "s3cret") || strings.Contains(got, "hunter2") {
		t.Errorf("LogValue leaks a secret: %s", got)
	}
}

func TestTrustedProxies(t *testing.T) {
	t.Setenv("DATABASE_URL", "postgres://x@localhost/db")
	t.Setenv("TRUSTED_PROXIES", "10.1.2.3/8, 2001:db8::1, 192.168.0.7")
	c, err := FromEnv()
	if err != nil {
		t.Fatalf("FromEnv: %v", err)
	}
	got := fmt.Sprint(c.TrustedProxies)
	if want := "[10.0.0.0/8 2001:db8::1/128 192.168.0.7/32]"; got != want {
		t.Errorf("TrustedProxies = %s, want %s", got, want)
	}
}

func TestEmbedAllowHTTP(t *testing.T) {
	for _, tc := range []struct {
		value string
		want  bool
		fails bool
	}{{"", false, false}, {"true", true, false}, {"0", false, false}, {"ja", false, true}} {
		t.Setenv("DATABASE_URL", "postgres://x@localhost/db")
		t.Setenv("EMBED_ALLOW_HTTP", tc.value)
		c, err := FromEnv()
		if (err != nil) != tc.fails || err == nil && c.EmbedAllowHTTP != tc.want {
			t.Errorf("EMBED_ALLOW_HTTP=%q: got %v, %v; want %v, error %v", tc.value, c.EmbedAllowHTTP, err, tc.want, tc.fails)
		}
	}
}

func TestWebhookAllowHosts(t *testing.T) {
	t.Setenv("WEBHOOK_ALLOW_HOSTS", " Hooks.Internal ,127.0.0.1, 10.0.0.0/8,::1")
	var errs []error
	got := webhookAllowEnv("WEBHOOK_ALLOW_HOSTS", &errs)
	if len(errs) > 0 {
		t.Fatalf("errors: %v", errs)
	}
	if fmt.Sprint(got.Hosts) != "[hooks.internal]" || fmt.Sprint(got.Prefixes) != "[127.0.0.1/32 10.0.0.0/8 ::1/128]" {
		t.Errorf("got hosts %v, ranges %v", got.Hosts, got.Prefixes)
	}
}
