package booking

import (
	"context"
	"errors"

	"github.com/fachtag/fachtag/internal/mail"
)

// RegisterByForm is Register for the public sign-up form, which must not
// tell anyone whether an address is registered for the event: for an
// address that is, it mails that address its personal link (mail kind
// "already"; at most once in five minutes, like the link form) and answers
// exactly like a new sign-up. The registration is nil then, and the
// existing one stays as it was. The JSON API keeps answering 409 instead:
// its callers are organisers' own systems that need to know.
func (s *Service) RegisterByForm(ctx context.Context, slug string, req Request) (*Registration, error) {
	reg, _, err := s.Register(ctx, slug, req)
	if !errors.Is(err, ErrDuplicate) {
		return reg, err
	}
	return nil, s.mailLink(ctx, slug, req.Email, mail.KindAlready)
}
