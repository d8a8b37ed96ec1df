package i18n

// alloc holds the texts of the wish phase (changing wishes) and of the
// organiser's allocation runs.
var alloc = map[string][2]string{
	"err.no_wish_phase":   {"Die Wunschphase ist vorbei; Wünsche lassen sich nicht mehr ändern.", "The wish phase is over; wishes can no longer be changed."},
	"err.run_in_progress": {"Für diese Veranstaltung läuft gerade eine Verteilung oder Veröffentlichung. Bitte gleich noch einmal versuchen.", "An allocation or publication of this event is in progress. Please try again in a moment."},
	"err.stale_run":       {"Seit dieser Verteilung haben sich Wünsche, Fixierungen oder Plätze geändert. Bitte neu verteilen.", "Wishes, pins or seats have changed since this run. Please run the allocation again."},
	"err.published":       {"Die Verteilung dieser Veranstaltung ist bereits veröffentlicht.", "The allocation of this event has already been published."},
	"err.not_wish_phase":  {"Die Veranstaltung hat keine Wunschphase.", "The event has no wish phase."},
	"err.unsolvable":      {"Die Verteilung lässt sich so nicht berechnen (z. B. mehr Fixierungen als Plätze).", "The allocation cannot be computed this way (e.g. more pins than seats)."},
	"err.not_wisher":      {"Keine Anmeldung dieser Veranstaltung in der Wunschphase.", "No registration of this event in the wish phase."},
	"err.pin_full":        {"Alle Plätze in „%s“ sind schon fest vergeben.", "All seats of “%s” are already pinned."},

	"manage.wishes":        {"Ihre Workshop-Wünsche", "Your workshop wishes"},
	"manage.wishes_hint":   {"Bis zum Anmeldeschluss können Sie Ihre Wünsche ändern. Danach verteilen wir die Plätze.", "You can change your wishes until registration closes. Then we allocate the places."},
	"manage.wishes_none":   {"Keine Wünsche", "No wishes"},
	"manage.wish_rank":     {"%d. Wunsch", "Wish %d"},
	"manage.wish_empty":    {"– kein Wunsch –", "– no wish –"},
	"manage.wishes_submit": {"Wünsche speichern", "Save wishes"},

	"alloc.title":        {"Workshop-Verteilung", "Workshop allocation"},
	"alloc.run":          {"Verteilen", "Run allocation"},
	"alloc.fair":         {"Fair (schlechtesten Rang möglichst klein halten)", "Fair (keep the worst rank as small as possible)"},
	"alloc.close":        {"Workshops unter Mindestgröße schließen", "Close workshops below their minimum"},
	"alloc.compare":      {"Rang-maximal und fair vergleichen", "Compare rank-maximal and fair"},
	"alloc.runs":         {"Bisherige Läufe", "Runs so far"},
	"alloc.profile":      {"Ergebnis", "Rank profile"},
	"alloc.rank":         {"%s. Wunsch", "Choice %s"},
	"alloc.unlisted":     {"Außerhalb der Wünsche", "Outside the wishes"},
	"alloc.none":         {"Kein Platz", "No seat"},
	"alloc.optimal":      {"Beweisbar optimal", "Proven optimal"},
	"alloc.not_optimal":  {"Nicht als optimal bewiesen", "Not proven optimal"},
	"alloc.fill":         {"Belegung je Workshop", "Fill per workshop"},
	"alloc.workshop":     {"Workshop", "Workshop"},
	"alloc.slot":         {"Zeitraum", "Slot"},
	"alloc.allocated":    {"Verteilt", "Allocated"},
	"alloc.capacity":     {"Plätze", "Capacity"},
	"alloc.min":          {"Mindestens", "Minimum"},
	"alloc.closed":       {"geschlossen", "closed"},
	"alloc.below_min":    {"unter Mindestgröße", "below minimum"},
	"alloc.worst":        {"Schlechteste Ergebnisse", "Worst outcomes"},
	"alloc.participant":  {"Person", "Participant"},
	"alloc.outcome":      {"Schlechtester Platz", "Worst seat"},
	"alloc.publish":      {"Veröffentlichen und alle benachrichtigen", "Publish and notify everyone"},
	"alloc.publish_hint": {"Alle Zuteilungen werden zu Buchungen, jede Person bekommt eine E-Mail, danach sind Restplätze frei buchbar. Das lässt sich nicht rückgängig machen.", "Every assignment becomes a booking, everyone gets an e-mail, and remaining seats become bookable. This cannot be undone."},
	"alloc.published":    {"Veröffentlicht. Alle Teilnehmenden bekommen eine E-Mail.", "Published. Everyone gets an e-mail."},
	"alloc.draft":        {"Entwurf", "Draft"},
	"alloc.warnings":     {"Hinweise", "Warnings"},
}

func init() {
	for k, v := range alloc {
		catalog[k] = v
	}
}
