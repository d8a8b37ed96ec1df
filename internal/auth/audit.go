package auth

import (
	"context"
	"encoding/json"
	"fmt"

	"github.com/fachtag/fachtag/internal/db"
)

// Entry is one line of the audit log: who did what, to which event.
type Entry struct {
	UserID  int64  // 0: no account (e.g. a failed login for an unknown address)
	Actor   string // how they acted: "cli", "web", "api"; free text
	Action  string // dotted verb, e.g. "event.status"
	EventID int64  // 0: no event
	Detail  map[string]any
}

const insertAudit = `
INSERT INTO audit_log (user_id, actor, action, event_id, detail)
VALUES (nullif($1, 0::bigint), $2, $3, nullif($4, 0::bigint), $5)`

// Append writes e to the audit log through q; inside the transaction of
// the change it records, the entry exists exactly when the change does.
func Append(ctx context.Context, q db.Conn, e Entry) error {
	detail := []byte("{}")
	if e.Detail != nil {
		var err error
		if detail, err = json.Marshal(e.Detail); err != nil {
			return fmt.Errorf("encode audit detail: %w", err)
		}
	}
	if _, err := q.Exec(ctx, insertAudit, e.UserID, e.Actor, e.Action, e.EventID, detail); err != nil {
		return fmt.Errorf("append audit log: %w", err)
	}
	return nil
}

// Actor is how the account acts, for the audit log: "api:token:N" through
// an API token, "web" through a session.
func (a Account) Actor() string {
	if a.TokenID != 0 {
		return fmt.Sprintf("api:token:%d", a.TokenID)
	}
	return "web"
}

// Audit is the audit entry of the account doing action on the event.
func (a Account) Audit(action string, eventID int64, detail map[string]any) Entry {
	return Entry{UserID: a.ID, Actor: a.Actor(), Action: action, EventID: eventID, Detail: detail}
}
