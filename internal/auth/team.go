package auth

import (
	"context"
	"errors"
	"fmt"
	"net/mail"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/fachtag/fachtag/internal/db"
)

// An event's team: the accounts that are members of it. Organisers and
// admins manage it in the browser; the rule they cannot break is that an
// event keeps at least one organiser.

// Errors of team changes.
var (
	ErrLastOrganiser = errors.New("the event's last organiser cannot be removed or demoted")
	ErrAlreadyMember = errors.New("the account is already in the event's team")
	ErrNotMember     = errors.New("the account is not in the event's team")
	ErrSharedAccount = errors.New("the account works on other events too; only an admin may change its role")
	ErrTeamRole      = errors.New("a team role is organiser or checkin")
	ErrBadEmail      = errors.New("not an e-mail address")
)

// InviteValid is how long an invitation's link works.
const InviteValid = 7 * 24 * time.Hour

// Member is an account in an event's team.
type Member struct {
	UserID  int64
	Email   string
	Role    string
	Invited bool // has not set a password of their own yet
	Since   time.Time
}

const selectMembers = `
SELECT u.id, u.email, u.role, u.must_change, m.created_at
FROM event_members m JOIN users u ON u.id = m.user_id
WHERE m.event_id = $1
ORDER BY u.role = 'checkin', lower(u.email)`

// Members lists the event's team, organisers first.
func (s *Service) Members(ctx context.Context, eventID int64) ([]Member, error) {
	rows, _ := s.pool.Query(ctx, selectMembers, eventID)
	list, err := pgx.CollectRows(rows, func(r pgx.CollectableRow) (Member, error) {
		var m Member
		err := r.Scan(&m.UserID, &m.Email, &m.Role, &m.Invited, &m.Since)
		return m, err
	})
	if err != nil {
		return nil, fmt.Errorf("list team: %w", err)
	}
	return list, nil
}

// Invitation is who to invite into which team, and how the mail links.
type Invitation struct {
	EventID    int64
	EventTitle string
	Email      string
	Role       string // organiser or checkin
	Language   string // of the mail
	// Link turns the raw one-time token into the address that sets the
	// password; the web layer owns the route.
	Link func(token string) string
}

const (
	insertInvited = `
INSERT INTO users (email, role, password_hash, must_change) VALUES ($1, $2, $3, true)
ON CONFLICT ((lower(email))) DO NOTHING
RETURNING id`
	insertMemberID = `INSERT INTO event_members (user_id, event_id) VALUES ($1, $2) ON CONFLICT DO NOTHING`
)

// Invite adds the address to the event's team. A new address gets an
// account without a usable password and a mail, through the outbox in the
// same transaction, with a one-time link (256 random bits, stored hashed,
// valid InviteValid) to set one; an existing account just joins the team
// and keeps its role. It returns whether an account was created.
func (s *Service) Invite(ctx context.Context, by Account, inv Invitation) (created bool, err error) {
	email := strings.TrimSpace(inv.Email)
	if a, err := mail.ParseAddress(email); err != nil || a.Address != email {
		return false, ErrBadEmail
	}
	if inv.Role != RoleOrganiser && inv.Role != RoleCheckin {
		return false, ErrTeamRole
	}
	unusable := s.hash(randomSecret())
	token := randomSecret()
	err = db.Transact(ctx, s.pool, func(tx pgx.Tx) error {
		var userID int64
		err := tx.QueryRow(ctx, insertInvited, email, inv.Role, unusable).Scan(&userID)
		created = err == nil
		if errors.Is(err, pgx.ErrNoRows) {
			err = tx.QueryRow(ctx, `SELECT id FROM users WHERE lower(email) = lower($1)`, email).Scan(&userID)
		}
		if err != nil {
			return fmt.Errorf("invite: %w", err)
		}
		tag, err := tx.Exec(ctx, insertMemberID, userID, inv.EventID)
		if err != nil {
			return fmt.Errorf("add member: %w", err)
		}
		if tag.RowsAffected() == 0 {
			return ErrAlreadyMember
		}
		if created {
			if _, err := tx.Exec(ctx, insertReset, hashSecret(token), userID, seconds(InviteValid)); err != nil {
				return fmt.Errorf("store invitation: %w", err)
			}
			if s.opts.InviteMail == nil {
				return errors.New("invite: no mail delivery configured (auth.Options.InviteMail)")
			}
			if err := s.opts.InviteMail(ctx, tx, email, inv.Language, inv.Link(token), inv.EventTitle); err != nil {
				return err
			}
		}
		return Append(ctx, tx, by.Audit("team.invite", inv.EventID,
			map[string]any{"user_id": userID, "email": email, "role": inv.Role, "new_account": created}))
	})
	return created, err
}

// lockTeam takes the event row, first in the lock order, so that two team
// changes of one event see each other's result.
func lockTeam(ctx context.Context, tx pgx.Tx, eventID int64) error {
	if _, err := tx.Exec(ctx, `SELECT 1 FROM events WHERE id = $1 FOR UPDATE`, eventID); err != nil {
		return fmt.Errorf("lock event: %w", err)
	}
	return nil
}

const otherOrganisers = `
SELECT count(*) FROM event_members m JOIN users u ON u.id = m.user_id
WHERE m.event_id = $1 AND m.user_id <> $2 AND u.role IN ('organiser', 'admin')`

// keepsOrganiser refuses a change that would leave the event without an
// organiser (an admin member counts as one).
func keepsOrganiser(ctx context.Context, tx pgx.Tx, eventID, userID int64) error {
	var n int
	if err := tx.QueryRow(ctx, otherOrganisers, eventID, userID).Scan(&n); err != nil {
		return fmt.Errorf("count organisers: %w", err)
	}
	if n == 0 {
		return ErrLastOrganiser
	}
	return nil
}

const selectMember = `
SELECT u.role, (SELECT count(*) FROM event_members o WHERE o.user_id = u.id AND o.event_id <> $1)
FROM event_members m JOIN users u ON u.id = m.user_id
WHERE m.event_id = $1 AND m.user_id = $2`

// member reads a team member's role and how many other events they work on.
func member(ctx context.Context, tx pgx.Tx, eventID, userID int64) (role string, others int, err error) {
	err = tx.QueryRow(ctx, selectMember, eventID, userID).Scan(&role, &others)
	if errors.Is(err, pgx.ErrNoRows) {
		return "", 0, ErrNotMember
	}
	if err != nil {
		return "", 0, fmt.Errorf("read member: %w", err)
	}
	return role, others, nil
}

// RemoveMember takes the account out of the event's team (the account
// itself stays, with its other events); the last organiser stays.
func (s *Service) RemoveMember(ctx context.Context, by Account, eventID, userID int64) error {
	return db.Transact(ctx, s.pool, func(tx pgx.Tx) error {
		if err := lockTeam(ctx, tx, eventID); err != nil {
			return err
		}
		role, _, err := member(ctx, tx, eventID, userID)
		if err != nil {
			return err
		}
		if role == RoleAdmin && by.Role != RoleAdmin {
			return ErrForbidden
		}
		if err := keepsOrganiser(ctx, tx, eventID, userID); err != nil {
			return err
		}
		if _, err := tx.Exec(ctx, `DELETE FROM event_members WHERE event_id = $1 AND user_id = $2`, eventID, userID); err != nil {
			return fmt.Errorf("remove member: %w", err)
		}
		return Append(ctx, tx, by.Audit("team.remove", eventID, map[string]any{"user_id": userID}))
	})
}

// SetMemberRole makes a team member an organiser or a check-in helper. A
// role belongs to the account, not to one event, so only an admin may
// change the role of an account that works on other events too; a
// demotion may not leave the event without an organiser.
func (s *Service) SetMemberRole(ctx context.Context, by Account, eventID, userID int64, role string) error {
	if role != RoleOrganiser && role != RoleCheckin {
		return ErrTeamRole
	}
	return db.Transact(ctx, s.pool, func(tx pgx.Tx) error {
		if err := lockTeam(ctx, tx, eventID); err != nil {
			return err
		}
		old, others, err := member(ctx, tx, eventID, userID)
		switch {
		case err != nil:
			return err
		case old == role:
			return nil
		case old == RoleAdmin && by.Role != RoleAdmin:
			return ErrForbidden
		case others > 0 && by.Role != RoleAdmin:
			return ErrSharedAccount
		}
		if role == RoleCheckin {
			if err := demotable(ctx, tx, userID); err != nil {
				return err
			}
		}
		if _, err := tx.Exec(ctx, `UPDATE users SET role = $2 WHERE id = $1`, userID, role); err != nil {
			return fmt.Errorf("set role: %w", err)
		}
		return Append(ctx, tx, by.Audit("team.role", eventID, map[string]any{"user_id": userID, "from": old, "to": role}))
	})
}

// demotable checks the last-organiser rule in every event of the account
// (an admin may demote an account that works on several); their rows are
// locked in id order, after the event of the page, which is one of them.
func demotable(ctx context.Context, tx pgx.Tx, userID int64) error {
	rows, _ := tx.Query(ctx, `SELECT e.id FROM events e JOIN event_members m ON m.event_id = e.id
		WHERE m.user_id = $1 ORDER BY e.id FOR UPDATE OF e`, userID)
	ids, err := pgx.CollectRows(rows, pgx.RowTo[int64])
	if err != nil {
		return fmt.Errorf("lock events of account: %w", err)
	}
	for _, id := range ids {
		if err := keepsOrganiser(ctx, tx, id, userID); err != nil {
			return err
		}
	}
	return nil
}
