package i18n

// eventsTexts are the texts of events without workshops (a job fair, a
// mentoring evening: only the event seat counts), of the public list of
// events and of its calendar feed.
var eventsTexts = map[string][2]string{
	"registered.mail_plain":   {"Wir haben Ihnen gerade eine E-Mail geschickt. Darin steht, wie es weitergeht, und Ihr persönlicher Link: Damit sehen Sie Ihre Anmeldung jederzeit ein oder sagen ab.", "We have just sent you an e-mail. It says what happens next and holds your personal link: with it you can view your registration at any time or cancel."},
	"mail.calendar_plain":     {"Im Anhang finden Sie eine Kalenderdatei (fachtag.ics) mit dem Termin.", "The attached calendar file (fachtag.ics) holds the date."},
	"mail.manage_plain":       {"Anmeldung ansehen oder stornieren", "View or cancel your registration"},
	"checkin.col_event":       {"Veranstaltung", "Event"},
	"msg.body_hint_plain":     {"Reiner Text. Anrede mit Namen und ein Hinweis auf die Veranstaltung werden ergänzt – siehe Vorschau. Platzhalter in Betreff und Text: {name} wird zum Namen der Person, {event} zum Titel der Veranstaltung, {link} zu ihrem persönlichen Link (Anmeldung ansehen oder absagen).", "Plain text. A greeting with the name and a note about the event are added – see the preview. Placeholders in subject and text: {name} becomes the person's name, {event} the event's title, {link} their personal link (view or cancel the registration)."},
	"msg.reminder_hint_plain": {"Alle Bestätigten erhalten eine Erinnerung mit Ort und Zeit. Leer lassen: keine Erinnerung.", "All confirmed participants get a reminder with place and time. Leave empty: no reminder."},
	"lists.new_hint_plain":    {"Gilt auch außerhalb der Anmeldefrist. Ist die Veranstaltung voll, kommt die Person auf die Warteliste, außer Sie erlauben das Überschreiten.", "Works outside the registration period too. If the event is full, the person goes on the waiting list unless you allow exceeding the capacity."},
	"lists.override_plain":    {"Auch wenn die Veranstaltung voll ist (Kapazität wird erhöht und protokolliert)", "Even if the event is full (capacity is raised and logged)"},
	"events.feed_title":       {"Veranstaltungen (fachtag)", "Events (fachtag)"},
	"events.subscribe":        {"Alle Termine als Kalender abonnieren", "Subscribe to all dates as a calendar"},
	"events.open":             {"Anmeldung geöffnet.", "Registration is open."},
	"events.not_open":         {"Anmeldung zurzeit nicht geöffnet.", "Registration is not open at the moment."},
	"events.more":             {"Weitere Termine stehen im Kalender-Abonnement.", "More dates are in the calendar subscription."},
	"events.bad_page":         {"Bitte eine ganze Zahl ab 1.", "Please give a whole number from 1."},
	"events.bad_limit":        {"Bitte eine ganze Zahl von 1 bis 100.", "Please give a whole number from 1 to 100."},
	"print.attendance_event":  {"Anwesenheitsliste der Veranstaltung", "Attendance list of the event"},
}
