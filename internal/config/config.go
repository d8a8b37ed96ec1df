// Package config reads fachtag's settings from the environment, validates
// them once at boot and prints them without secrets.
package config

import (
	"errors"
	"fmt"
	"log/slog"
	"net/mail"
	"net/netip"
	"net/url"
	"os"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"
)

// Config is every setting of `fachtag serve`.
type Config struct {
	DatabaseURL        string
	HTTPAddr           string
	BaseURL            string
	SMTPHost           string
	SMTPPort           int
	SMTPUsername       string
	SMTPPassword       string
	SMTPTLS            string // none | starttls | tls
	MailFrom           string
	RateLimitPerMinute int
	MailWorkers        int     // concurrent SMTP senders
	MailRatePerSecond  float64 // 0 means unlimited
	SignUpConcurrency  int     // sign-up transactions of one event in flight per instance
	// TrustedProxies may set X-Forwarded-For; the client is the right-most
	// address in it that is not one of them.
	TrustedProxies  []netip.Prefix
	MetricsAddr     string        // Prometheus /metrics listener; empty: off
	LogFormat       string        // text | json
	ShutdownDelay   time.Duration // /readyz says 503 this long before the drain starts
	ShutdownTimeout time.Duration // the drain's limit
	// WebhookAllow are the hosts webhook deliveries may reach over plain
	// http and on internal addresses (loopback, private, link-local …),
	// which are refused for everyone else.
	WebhookAllow WebhookAllow
	// The installation's privacy notice and imprint, for events without
	// their own: an address (PRIVACY_URL, IMPRINT_URL) or a text read
	// from a file at boot (PRIVACY_FILE, IMPRINT_FILE).
	Privacy, Imprint Legal
	// EmbedAllowHTTP lets organisers allow http:// websites to embed their
	// registration form; without it only https:// (and http://localhost).
	EmbedAllowHTTP bool
}

// WebhookAllow is WEBHOOK_ALLOW_HOSTS: host names, and addresses or CIDR
// ranges.
type WebhookAllow struct {
	Hosts    []string
	Prefixes []netip.Prefix
}

// Legal is a privacy notice or an imprint: a text or an address.
type Legal struct{ Text, URL string }

// FromEnv reads the configuration and reports every invalid value at once.
func FromEnv() (Config, error) {
	var errs []error
	c := Config{
		DatabaseURL:  os.Getenv("DATABASE_URL"),
		HTTPAddr:     envOr("HTTP_ADDR", "127.0.0.1:8080"),
		BaseURL:      strings.TrimRight(os.Getenv("BASE_URL"), "/"),
		SMTPHost:     envOr("SMTP_HOST", "localhost"),
		SMTPUsername: os.Getenv("SMTP_USERNAME"),
		SMTPPassword: os.Getenv("SMTP_PASSWORD"),
		SMTPTLS:      envOr("SMTP_TLS", "none"),
		MailFrom:     envOr("MAIL_FROM", "fachtag <fachtag@localhost>"),
	}
	c.SMTPPort = intEnv("SMTP_PORT", 25, &errs)
	c.RateLimitPerMinute = intEnv("RATE_LIMIT_PER_MINUTE", 20, &errs)
	c.MailWorkers = intEnv("MAIL_WORKERS", 4, &errs)
	c.MailRatePerSecond = floatEnv("MAIL_RATE_PER_SECOND", 0, &errs)
	c.SignUpConcurrency = intEnv("SIGNUP_CONCURRENCY", 4, &errs)
	c.TrustedProxies = prefixesEnv("TRUSTED_PROXIES", &errs)
	c.MetricsAddr = os.Getenv("METRICS_ADDR")
	c.LogFormat = envOr("LOG_FORMAT", "text")
	c.ShutdownDelay = durationEnv("SHUTDOWN_DELAY", 0, &errs)
	c.ShutdownTimeout = time.Duration(intEnv("SHUTDOWN_TIMEOUT_SECONDS", 20, &errs)) * time.Second
	if os.Getenv("TRUST_PROXY") != "" {
		errs = append(errs, errors.New("TRUST_PROXY: replaced by TRUSTED_PROXIES, a comma-separated CIDR list of the proxies that may set X-Forwarded-For"))
	}
	if c.BaseURL == "" {
		c.BaseURL = "http://" + c.HTTPAddr
	}
	c.WebhookAllow = webhookAllowEnv("WEBHOOK_ALLOW_HOSTS", &errs)
	c.Privacy = legalEnv("PRIVACY", &errs)
	c.Imprint = legalEnv("IMPRINT", &errs)
	c.EmbedAllowHTTP = boolEnv("EMBED_ALLOW_HTTP", &errs)
	errs = append(errs, c.validate()...)
	return c, errors.Join(errs...)
}

func (c Config) validate() []error {
	var errs []error
	if c.DatabaseURL == "" {
		errs = append(errs, errors.New("DATABASE_URL: required"))
	}
	if u, err := url.Parse(c.BaseURL); err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		errs = append(errs, fmt.Errorf("BASE_URL: %q is not an absolute http(s) URL", c.BaseURL))
	}
	switch c.SMTPTLS {
	case "none", "starttls", "tls":
	default:
		errs = append(errs, fmt.Errorf("SMTP_TLS: %q must be none, starttls or tls", c.SMTPTLS))
	}
	if _, err := mail.ParseAddress(c.MailFrom); err != nil {
		errs = append(errs, fmt.Errorf("MAIL_FROM: %q is not a mail address: %v", c.MailFrom, err))
	}
	if c.SMTPPort <= 0 || c.SMTPPort > 65535 {
		errs = append(errs, fmt.Errorf("SMTP_PORT: %d is out of range", c.SMTPPort))
	}
	if c.RateLimitPerMinute < 0 {
		errs = append(errs, errors.New("RATE_LIMIT_PER_MINUTE: must be 0 (off) or positive"))
	}
	if c.MailWorkers < 1 {
		errs = append(errs, errors.New("MAIL_WORKERS: must be at least 1"))
	}
	if c.SignUpConcurrency < 1 || c.SignUpConcurrency > 64 {
		errs = append(errs, fmt.Errorf("SIGNUP_CONCURRENCY: %d must be between 1 and 64", c.SignUpConcurrency))
	}
	if c.LogFormat != "text" && c.LogFormat != "json" {
		errs = append(errs, fmt.Errorf("LOG_FORMAT: %q must be text or json", c.LogFormat))
	}
	if c.ShutdownDelay < 0 {
		errs = append(errs, errors.New("SHUTDOWN_DELAY: must not be negative"))
	}
	return errs
}

// LogValue prints the configuration with secrets masked.
func (c Config) LogValue() slog.Value {
	return slog.GroupValue(
		slog.String("database_url", redactURL(c.DatabaseURL)),
		slog.String("http_addr", c.HTTPAddr),
		slog.String("base_url", c.BaseURL),
		slog.String("smtp_host", c.SMTPHost),
		slog.Int("smtp_port", c.SMTPPort),
		slog.String("smtp_username", c.SMTPUsername),
		slog.Bool("smtp_password_set", c.SMTPPassword != ""),
		slog.String("smtp_tls", c.SMTPTLS),
		slog.String("mail_from", c.MailFrom),
		slog.Int("rate_limit_per_minute", c.RateLimitPerMinute),
		slog.Int("mail_workers", c.MailWorkers),
		slog.Float64("mail_rate_per_second", c.MailRatePerSecond),
		slog.Int("signup_concurrency", c.SignUpConcurrency),
		slog.Any("trusted_proxies", c.TrustedProxies),
		slog.String("metrics_addr", c.MetricsAddr),
		slog.String("log_format", c.LogFormat),
		slog.Duration("shutdown_delay", c.ShutdownDelay),
		slog.Duration("shutdown_timeout", c.ShutdownTimeout),
		slog.Any("webhook_allow_hosts", c.WebhookAllow.Hosts),
		slog.Any("webhook_allow_ranges", c.WebhookAllow.Prefixes),
		slog.String("privacy", c.Privacy.describe()),
		slog.String("imprint", c.Imprint.describe()),
		slog.Bool("embed_allow_http", c.EmbedAllowHTTP),
	)
}

func (l Legal) describe() string {
	switch {
	case l.URL != "":
		return l.URL
	case l.Text != "":
		return fmt.Sprintf("text, %d characters", utf8.RuneCountInString(l.Text))
	}
	return "none"
}

// maxLegalText matches what an event file may hold.
const maxLegalText = 100_000

// legalEnv reads NAME_URL or NAME_FILE (not both): an absolute http(s)
// address, or a readable UTF-8 text file that says something.
func legalEnv(name string, errs *[]error) Legal {
	addr, file := os.Getenv(name+"_URL"), os.Getenv(name+"_FILE")
	var l Legal
	switch {
	case addr != "" && file != "":
		*errs = append(*errs, fmt.Errorf("%s_URL, %s_FILE: set one of them, not both", name, name))
	case addr != "":
		u, err := url.Parse(addr)
		if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
			*errs = append(*errs, fmt.Errorf("%s_URL: %q is not an absolute http(s) URL", name, addr))
		}
		l.URL = addr
	case file != "":
		b, err := os.ReadFile(file)
		switch {
		case err != nil:
			*errs = append(*errs, fmt.Errorf("%s_FILE: %v", name, err))
		case !utf8.Valid(b) || strings.TrimSpace(string(b)) == "":
			*errs = append(*errs, fmt.Errorf("%s_FILE: %s must be a non-empty UTF-8 text", name, file))
		case utf8.RuneCount(b) > maxLegalText:
			*errs = append(*errs, fmt.Errorf("%s_FILE: %s is longer than %d characters", name, file, maxLegalText))
		}
		l.Text = string(b)
	}
	return l
}

func redactURL(s string) string {
	u, err := url.Parse(s)
	if err != nil || u.User == nil {
		return s
	}
	if _, ok := u.User.Password(); ok {
		u.User = url.UserPassword(u.User.Username(), "xxxxx")
	}
	return u.String()
}

func envOr(key, def string) string {
	if v := os.Getenv(key); v != "" {
		return v
	}
	return def
}

func intEnv(key string, def int, errs *[]error) int {
	v := os.Getenv(key)
	if v == "" {
		return def
	}
	n, err := strconv.Atoi(v)
	if err != nil {
		*errs = append(*errs, fmt.Errorf("%s: %q is not a whole number", key, v))
	}
	return n
}

func floatEnv(key string, def float64, errs *[]error) float64 {
	v := os.Getenv(key)
	if v == "" {
		return def
	}
	f, err := strconv.ParseFloat(v, 64)
	if err != nil || f < 0 {
		*errs = append(*errs, fmt.Errorf("%s: %q is not a non-negative number", key, v))
	}
	return f
}

// boolEnv reads true or false (also 1 or 0); unset is false.
func boolEnv(key string, errs *[]error) bool {
	v := os.Getenv(key)
	if v == "" {
		return false
	}
	b, err := strconv.ParseBool(v)
	if err != nil {
		*errs = append(*errs, fmt.Errorf("%s: %q must be true or false", key, v))
	}
	return b
}

func durationEnv(key string, def time.Duration, errs *[]error) time.Duration {
	v := os.Getenv(key)
	if v == "" {
		return def
	}
	d, err := time.ParseDuration(v)
	if err != nil {
		*errs = append(*errs, fmt.Errorf("%s: %q is not a duration such as 5s", key, v))
	}
	return d
}

// prefixesEnv reads a comma-separated list of CIDR prefixes; a bare address
// counts as a prefix of its full length.
func prefixesEnv(key string, errs *[]error) []netip.Prefix {
	var out []netip.Prefix
	for _, f := range strings.Split(os.Getenv(key), ",") {
		if f = strings.TrimSpace(f); f == "" {
			continue
		}
		p, ok := parsePrefix(f)
		if !ok {
			*errs = append(*errs, fmt.Errorf("%s: %q is not a CIDR prefix such as 10.0.0.0/8", key, f))
			continue
		}
		out = append(out, p)
	}
	return out
}

// parsePrefix reads a CIDR prefix; a bare address counts as a prefix of
// its full length.
func parsePrefix(s string) (netip.Prefix, bool) {
	if p, err := netip.ParsePrefix(s); err == nil {
		return p.Masked(), true
	}
	a, err := netip.ParseAddr(s)
	if err != nil {
		return netip.Prefix{}, false
	}
	return netip.PrefixFrom(a, a.BitLen()), true
}

// webhookAllowEnv reads a comma-separated list of host names, addresses
// and CIDR ranges.
func webhookAllowEnv(key string, errs *[]error) WebhookAllow {
	var w WebhookAllow
	for _, f := range strings.Split(os.Getenv(key), ",") {
		f = strings.ToLower(strings.TrimSpace(f))
		if f == "" {
			continue
		}
		if p, ok := parsePrefix(f); ok {
			w.Prefixes = append(w.Prefixes, p)
		} else if hostName(f) {
			w.Hosts = append(w.Hosts, f)
		} else {
			*errs = append(*errs, fmt.Errorf("%s: %q is neither a host name, an IP address nor a CIDR range", key, f))
		}
	}
	return w
}

// hostName reports whether h is a DNS host name (letters, digits,
// hyphens and underscores in dot-separated labels).
func hostName(h string) bool {
	if len(h) > 253 {
		return false
	}
	for _, label := range strings.Split(h, ".") {
		if label == "" || len(label) > 63 || label[0] == '-' || label[len(label)-1] == '-' {
			return false
		}
		for _, r := range label {
			if !(r >= 'a' && r <= 'z' || r >= '0' && r <= '9' || r == '-' || r == '_') {
				return false
			}
		}
	}
	return true
}
