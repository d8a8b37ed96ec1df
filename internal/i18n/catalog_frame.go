package i18n

// frameTexts holds the texts of the organiser frame (the account bar and
// the event menu), the workshops overview and the start page's links.
var frameTexts = map[string][2]string{
	"frame.account_nav": {"Konto und Veranstaltungen", "Account and events"},
	"frame.menu":        {"Menü", "Menu"},
	"frame.dashboard":   {"Übersicht", "Overview"},
	"frame.lists":       {"Anmeldungen", "Registrations"},
	"frame.workshops":   {"Workshops", "Workshops"},
	"frame.allocations": {"Verteilung", "Allocation"},
	"frame.messages":    {"Nachrichten", "Messages"},
	"frame.checkin":     {"Check-in", "Check-in"},
	"frame.setup":       {"Einrichten", "Setup"},
	"frame.public":      {"Öffentliche Seite ansehen", "View the public page"},

	"ws.intro":        {"Alle Workshops nach Zeitraum: Belegung, Warteliste und die Listen zum Ausdrucken.", "All workshops by slot: seats taken, waiting list and the lists to print."},
	"ws.none":         {"Diese Veranstaltung hat noch keine Workshops. Sie können sie unter „Einrichten“ anlegen.", "This event has no workshops yet. You can add them under “Setup”."},
	"ws.col_room":     {"Raum", "Room"},
	"ws.col_fill":     {"Belegt", "Taken"},
	"ws.col_waiting":  {"Warteliste", "Waiting list"},
	"ws.col_lists":    {"Listen", "Lists"},
	"ws.participants": {"Teilnehmende", "Participants"},
	"ws.fill":         {"%d von %d", "%d of %d"},
	"ws.mail_waiting": {"Warteliste anschreiben", "Mail the waiting list"},
	"ws.mail_all":     {"Teilnehmende anschreiben", "Mail the participants"},
}
