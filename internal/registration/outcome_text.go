package registration

import "github.com/fachtag/fachtag/internal/i18n"

// Wish says in lang which wish the outcome is: "Ihr 2. Wunsch", a seat
// outside the wishes, or no seat.
func (o Outcome) Wish(lang string) string {
	switch {
	case o.Workshop == "":
		return i18n.T(lang, "outcome.none")
	case o.Rank == 0:
		return i18n.T(lang, "outcome.unlisted")
	}
	return i18n.T(lang, "outcome.wish", o.Rank)
}

// Why is the one plain sentence in lang that says why the first wish was
// not given, or "" when the outcome has no reason; title turns a workshop
// key into its title.
func (o Outcome) Why(lang string, title func(key string) string) string {
	switch o.Reason {
	case "":
		return ""
	case ReasonPinned:
		return i18n.T(lang, "outcome.reason.pinned")
	case ReasonTopic:
		if first, other := title(o.First), title(o.Other); first != other {
			return i18n.T(lang, "outcome.reason.topic", first, other)
		}
		// The same workshop offered again in another round.
		return i18n.T(lang, "outcome.reason.topic_again", title(o.First))
	case ReasonFullFair:
		return i18n.T(lang, "outcome.reason.full_fair", title(o.First), o.Worst)
	}
	return i18n.T(lang, "outcome.reason."+o.Reason, title(o.First))
}
