// Package mailtest runs an in-process SMTP server that records what it
// receives, so tests in any package can check the mails fachtag sends
// over a real SMTP session.
package mailtest

import (
	"bytes"
	"encoding/base64"
	"errors"
	"fmt"
	"io"
	"mime"
	"mime/multipart"
	"mime/quotedprintable"
	"net"
	"net/mail"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/emersion/go-smtp"
)

// Received is one mail as the sink got it.
type Received struct {
	From        string   // envelope sender
	To          []string // envelope recipients
	Data        []byte   // the raw message
	Header      mail.Header
	Subject     string // decoded
	MessageID   string // with angle brackets, as in the header
	Text        string // text/plain part, decoded
	HTML        string // text/html part, decoded
	Attachments []Attachment
}

// Attachment is a MIME part with a file name.
type Attachment struct {
	Filename    string
	ContentType string // full value, with parameters
	Data        []byte
}

// Failure says how the sink answers RCPT TO.
type Failure int

// Failure modes.
const (
	Accept    Failure = 0
	Temporary Failure = 451
	Permanent Failure = 550
)

// Sink is a running SMTP server on 127.0.0.1.
type Sink struct {
	srv  *smtp.Server
	ln   net.Listener
	addr *net.TCPAddr

	mu       sync.Mutex
	msgs     []Received
	failure  Failure
	failNext int // answer the next n RCPTs with failNextCode
	failCode Failure
	delay    time.Duration
	arrived  chan struct{}
	inData   atomic.Int32 // sessions inside DATA right now
}

// Start runs a sink until the test ends.
func Start(t testing.TB) *Sink {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatalf("mailtest: listen: %v", err)
	}
	s := &Sink{addr: l.Addr().(*net.TCPAddr), arrived: make(chan struct{}, 1)}
	s.serve(l)
	t.Cleanup(func() { _ = s.server().Close() })
	return s
}

func (s *Sink) serve(l net.Listener) {
	srv := smtp.NewServer(s)
	srv.Domain = "localhost"
	srv.AllowInsecureAuth = true
	srv.MaxMessageBytes = 10 << 20
	srv.ReadTimeout = 30 * time.Second
	srv.WriteTimeout = 30 * time.Second
	s.mu.Lock()
	s.srv, s.ln = srv, l
	s.mu.Unlock()
	go func() { _ = srv.Serve(l) }()
}

func (s *Sink) server() *smtp.Server {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.srv
}

// Down stops the sink as an outage would: the listener and every session
// close, and connections are refused until Up.
func (s *Sink) Down() {
	s.mu.Lock()
	l := s.ln
	s.mu.Unlock()
	_ = l.Close() // Serve may not have taken the listener over yet
	_ = s.server().Close()
}

// Up listens again on the sink's address after Down.
func (s *Sink) Up(t testing.TB) {
	t.Helper()
	l, err := net.Listen("tcp", s.addr.String())
	if err != nil {
		t.Fatalf("mailtest: listen again on %s: %v", s.addr, err)
	}
	s.serve(l)
}

// Host is the address the sink listens on.
func (s *Sink) Host() string { return s.addr.IP.String() }

// Port is the sink's TCP port.
func (s *Sink) Port() int { return s.addr.Port }

// Fail makes every following RCPT TO answer with f (Accept to stop).
func (s *Sink) Fail(f Failure) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.failure = f
}

// FailNext answers the next n RCPT TO commands with f, then accepts again.
func (s *Sink) FailNext(n int, f Failure) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.failNext, s.failCode = n, f
}

// Delay makes the sink wait d before accepting each message's data.
func (s *Sink) Delay(d time.Duration) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.delay = d
}

// Messages returns the mails received so far, in order of arrival.
func (s *Sink) Messages() []Received {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]Received(nil), s.msgs...)
}

// Reset forgets the received mails.
func (s *Sink) Reset() {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.msgs = nil
}

// WaitFor waits until at least n mails arrived and returns them; it fails
// the test after timeout.
func (s *Sink) WaitFor(t testing.TB, n int, timeout time.Duration) []Received {
	t.Helper()
	deadline := time.NewTimer(timeout)
	defer deadline.Stop()
	for {
		if msgs := s.Messages(); len(msgs) >= n {
			return msgs
		}
		select {
		case <-s.arrived:
		case <-deadline.C:
			t.Fatalf("mailtest: got %d mails within %v, want %d", len(s.Messages()), timeout, n)
			return nil
		}
	}
}

// NewSession implements smtp.Backend.
func (s *Sink) NewSession(*smtp.Conn) (smtp.Session, error) {
	return &session{sink: s}, nil
}

func (s *Sink) rcptError() error {
	s.mu.Lock()
	defer s.mu.Unlock()
	f := s.failure
	if s.failNext > 0 {
		s.failNext--
		f = s.failCode
	}
	switch f {
	case Temporary:
		return &smtp.SMTPError{Code: 451, EnhancedCode: smtp.EnhancedCode{4, 3, 0}, Message: "mailtest: try again later"}
	case Permanent:
		return &smtp.SMTPError{Code: 550, EnhancedCode: smtp.EnhancedCode{5, 1, 1}, Message: "mailtest: no such user"}
	}
	return nil
}

func (s *Sink) add(r Received) {
	s.mu.Lock()
	s.msgs = append(s.msgs, r)
	s.mu.Unlock()
	select {
	case s.arrived <- struct{}{}:
	default:
	}
}

func (s *Sink) currentDelay() time.Duration {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.delay
}

type session struct {
	sink *Sink
	from string
	to   []string
}

func (ss *session) Reset()        { ss.from, ss.to = "", nil }
func (ss *session) Logout() error { return nil }

func (ss *session) Mail(from string, _ *smtp.MailOptions) error {
	ss.from = from
	return nil
}

func (ss *session) Rcpt(to string, _ *smtp.RcptOptions) error {
	if err := ss.sink.rcptError(); err != nil {
		return err
	}
	ss.to = append(ss.to, to)
	return nil
}

// InData is the number of messages the sink is receiving right now, so a
// test can wait until sends are in flight instead of sleeping.
func (s *Sink) InData() int { return int(s.inData.Load()) }

func (ss *session) Data(r io.Reader) error {
	ss.sink.inData.Add(1)
	defer ss.sink.inData.Add(-1)
	raw, err := io.ReadAll(r)
	if err != nil {
		return err
	}
	if d := ss.sink.currentDelay(); d > 0 {
		time.Sleep(d)
	}
	rec, err := Parse(raw)
	if err != nil {
		return &smtp.SMTPError{Code: 554, EnhancedCode: smtp.EnhancedCode{5, 6, 0}, Message: "mailtest: " + err.Error()}
	}
	rec.From, rec.To = ss.from, append([]string(nil), ss.to...)
	ss.sink.add(rec)
	return nil
}

// Parse splits a raw message into headers, text, HTML and attachments.
func Parse(raw []byte) (Received, error) {
	msg, err := mail.ReadMessage(bytes.NewReader(raw))
	if err != nil {
		return Received{}, fmt.Errorf("read message: %w", err)
	}
	rec := Received{Data: raw, Header: msg.Header, MessageID: msg.Header.Get("Message-Id")}
	dec := new(mime.WordDecoder)
	if rec.Subject, err = dec.DecodeHeader(msg.Header.Get("Subject")); err != nil {
		return Received{}, fmt.Errorf("decode subject: %w", err)
	}
	err = rec.walk(msg.Header.Get("Content-Type"), msg.Header.Get("Content-Transfer-Encoding"), "", msg.Body)
	return rec, err
}

// walk descends multipart bodies and files each leaf as text, HTML or
// attachment.
func (rec *Received) walk(contentType, encoding, disposition string, body io.Reader) error {
	if contentType == "" {
		contentType = "text/plain"
	}
	mediaType, params, err := mime.ParseMediaType(contentType)
	if err != nil {
		return fmt.Errorf("content type %q: %w", contentType, err)
	}
	if strings.HasPrefix(mediaType, "multipart/") {
		mr := multipart.NewReader(body, params["boundary"])
		for {
			p, err := mr.NextPart()
			if errors.Is(err, io.EOF) {
				return nil
			}
			if err != nil {
				return fmt.Errorf("next part: %w", err)
			}
			h := p.Header
			if err := rec.walk(h.Get("Content-Type"), h.Get("Content-Transfer-Encoding"), h.Get("Content-Disposition"), p); err != nil {
				return err
			}
		}
	}
	data, err := decodeBody(encoding, body)
	if err != nil {
		return err
	}
	return rec.leaf(mediaType, contentType, disposition, params, data)
}

func (rec *Received) leaf(mediaType, contentType, disposition string, params map[string]string, data []byte) error {
	filename := params["name"]
	if disposition != "" {
		if _, dp, err := mime.ParseMediaType(disposition); err == nil && dp["filename"] != "" {
			filename = dp["filename"]
		}
	}
	switch {
	case filename != "":
		rec.Attachments = append(rec.Attachments, Attachment{Filename: filename, ContentType: contentType, Data: data})
	case mediaType == "text/plain" && rec.Text == "":
		rec.Text = string(data)
	case mediaType == "text/html" && rec.HTML == "":
		rec.HTML = string(data)
	default:
		rec.Attachments = append(rec.Attachments, Attachment{ContentType: contentType, Data: data})
	}
	return nil
}

// decodeBody undoes the transfer encoding. (multipart.Reader already
// undoes quoted-printable in parts and drops the header then.)
func decodeBody(encoding string, body io.Reader) ([]byte, error) {
	switch strings.ToLower(strings.TrimSpace(encoding)) {
	case "base64":
		body = base64.NewDecoder(base64.StdEncoding, body)
	case "quoted-printable":
		body = quotedprintable.NewReader(body)
	}
	data, err := io.ReadAll(body)
	if err != nil {
		return nil, fmt.Errorf("read body: %w", err)
	}
	return data, nil
}
