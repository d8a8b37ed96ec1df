package mail

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"time"

	gomail "github.com/wneessen/go-mail"
	"github.com/wneessen/go-mail/smtp"
)

// Sender hands one composed mail to the mail system. The SMTP sender is the
// real one; tests may use a recording fake.
type Sender interface {
	Send(ctx context.Context, m *gomail.Msg) error
}

// ErrPermanent marks a send error that retrying cannot fix: an SMTP 5xx
// answer or an address the message cannot be sent to. Test with errors.Is.
var ErrPermanent = errors.New("permanent mail error")

type permanentError struct{ err error }

func (p permanentError) Error() string        { return p.err.Error() }
func (p permanentError) Unwrap() error        { return p.err }
func (p permanentError) Is(target error) bool { return target == ErrPermanent }

// Permanent marks err as permanent, for senders other than SMTPSender.
func Permanent(err error) error {
	if err == nil {
		return nil
	}
	return permanentError{err}
}

// SMTPConfig says how to reach the SMTP server.
type SMTPConfig struct {
	Host     string
	Port     int
	Username string // empty: no SMTP AUTH
	Password string
	TLS      string        // none | starttls | tls
	Timeout  time.Duration // per connection and command; 0 means 15s
}

// Connections are reused for throughput, but not forever: servers drop idle
// sessions and some limit the mails per session.
const (
	maxIdleConns  = 16
	maxConnIdle   = 10 * time.Second
	maxMailsPerCx = 100
)

// SMTPSender sends over a small pool of SMTP sessions, one per concurrent
// Send, so N workers keep N connections busy instead of dialling per mail.
type SMTPSender struct {
	client *gomail.Client
	mu     sync.Mutex
	idle   []*session
}

type session struct {
	c        *smtp.Client
	lastUsed time.Time
	sent     int
}

// NewSMTPSender checks cfg and prepares the client; it does not dial yet.
func NewSMTPSender(cfg SMTPConfig) (*SMTPSender, error) {
	opts := []gomail.Option{gomail.WithPort(cfg.Port), gomail.WithoutRset()}
	if cfg.Timeout > 0 {
		opts = append(opts, gomail.WithTimeout(cfg.Timeout))
	}
	switch cfg.TLS {
	case "none", "":
		opts = append(opts, gomail.WithTLSPolicy(gomail.NoTLS))
	case "starttls":
		opts = append(opts, gomail.WithTLSPolicy(gomail.TLSMandatory))
	case "tls":
		opts = append(opts, gomail.WithSSL())
	default:
		return nil, fmt.Errorf("smtp tls mode %q: want none, starttls or tls", cfg.TLS)
	}
	if cfg.Username != "" {
		opts = append(opts, gomail.WithSMTPAuth(gomail.SMTPAuthAutoDiscover),
			gomail.WithUsername(cfg.Username), gomail.WithPassword(cfg.Password))
	}
	c, err := gomail.NewClient(cfg.Host, opts...)
	if err != nil {
		return nil, fmt.Errorf("smtp client: %w", err)
	}
	return &SMTPSender{client: c}, nil
}

// Send delivers m over a pooled session. Errors wrap ErrPermanent when the
// server refused the mail for good; everything else (4xx, network, dial,
// even a failed login, which is an operator problem) is temporary.
func (s *SMTPSender) Send(ctx context.Context, m *gomail.Msg) error {
	sess, reused, err := s.get(ctx)
	if err != nil {
		return unreachableError{err}
	}
	err = s.client.SendWithSMTPClient(sess.c, m)
	if err != nil && reused && connGone(err) {
		// A pooled session died while idle; nothing was sent on it yet
		// (the NOOP check failed), so one fresh attempt is safe.
		s.discard(sess)
		if sess, err = s.dial(ctx); err != nil {
			return unreachableError{err}
		}
		err = s.client.SendWithSMTPClient(sess.c, m)
	}
	if err != nil {
		s.discard(sess)
		return classify(err)
	}
	sess.sent++
	s.put(sess)
	return nil
}

// Probe opens a session (connect, TLS, login) and keeps it for the next
// send; an error wraps ErrUnreachable.
func (s *SMTPSender) Probe(ctx context.Context) error {
	sess, err := s.dial(ctx)
	if err != nil {
		return unreachableError{err}
	}
	s.put(sess)
	return nil
}

// Close ends the idle sessions.
func (s *SMTPSender) Close() error {
	s.mu.Lock()
	idle := s.idle
	s.idle = nil
	s.mu.Unlock()
	var errs []error
	for _, sess := range idle {
		errs = append(errs, s.client.CloseWithSMTPClient(sess.c))
	}
	return errors.Join(errs...)
}

func (s *SMTPSender) get(ctx context.Context) (sess *session, reused bool, err error) {
	s.mu.Lock()
	for len(s.idle) > 0 {
		sess = s.idle[len(s.idle)-1]
		s.idle = s.idle[:len(s.idle)-1]
		if time.Since(sess.lastUsed) < maxConnIdle {
			s.mu.Unlock()
			return sess, true, nil
		}
		go s.discard(sess)
	}
	s.mu.Unlock()
	sess, err = s.dial(ctx)
	return sess, false, err
}

func (s *SMTPSender) dial(ctx context.Context) (*session, error) {
	c, err := s.client.DialToSMTPClientWithContext(ctx)
	if err != nil {
		return nil, err
	}
	return &session{c: c, lastUsed: time.Now()}, nil
}

func (s *SMTPSender) put(sess *session) {
	sess.lastUsed = time.Now()
	s.mu.Lock()
	if sess.sent < maxMailsPerCx && len(s.idle) < maxIdleConns {
		s.idle = append(s.idle, sess)
		sess = nil
	}
	s.mu.Unlock()
	if sess != nil {
		s.discard(sess)
	}
}

func (s *SMTPSender) discard(sess *session) {
	_ = s.client.CloseWithSMTPClient(sess.c)
	_ = sess.c.Close()
}

func connGone(err error) bool {
	var se *gomail.SendError
	return errors.As(err, &se) && se.Reason == gomail.ErrConnCheck
}

// classify wraps err as permanent for SMTP 5xx answers and for messages
// that cannot be sent at all (no valid sender or recipient).
func classify(err error) error {
	var se *gomail.SendError
	if !errors.As(err, &se) {
		return err
	}
	if se.ErrorCode() >= 500 {
		return Permanent(err)
	}
	switch se.Reason {
	case gomail.ErrGetSender, gomail.ErrGetRcpts, gomail.ErrNoUnencoded:
		return Permanent(err)
	}
	return err
}
