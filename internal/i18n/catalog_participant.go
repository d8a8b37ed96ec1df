package i18n

// participantTexts holds the texts of the participant path added with the
// legal pages, the wish-phase explanations, leaving a waiting list or
// dropping a workshop, and the swap that ends on a waiting list.
var participantTexts = map[string][2]string{
	"legal.nav":           {"Rechtliches", "Legal"},
	"legal.privacy":       {"Datenschutz", "Privacy"},
	"legal.imprint":       {"Impressum", "Imprint"},
	"legal.consent":       {"Ich bin einverstanden, dass meine Angaben zur Organisation der Veranstaltung gespeichert und verarbeitet werden (%s). *", "I agree that my details are stored and processed to organise the event (%s). *"},
	"legal.consent_link":  {"Datenschutzerklärung", "privacy policy"},
	"legal.mail_privacy":  {"Datenschutz: %s", "Privacy: %s"},
	"legal.mail_imprint":  {"Impressum: %s", "Imprint: %s"},
	"file.legal_both":     {"Bitte entweder einen Text oder eine Adresse angeben, nicht beides.", "give either a text or an address, not both"},
	"file.legal_url":      {"Muss eine vollständige Adresse mit https:// oder http:// sein.", "must be an absolute https:// or http:// address"},
	"file.legal_too_long": {"Bitte höchstens %d Zeichen.", "must be at most %d characters"},
	"err.choose_workshop": {"Bitte wählen Sie einen Workshop.", "Please choose a workshop."},
	"form.without":        {"Ohne Workshop in diesem Zeitraum", "No workshop in this slot"},

	"registered.title":        {"Vielen Dank für Ihre Anmeldung", "Thank you for registering"},
	"registered.mail":         {"Wir haben Ihnen gerade eine E-Mail geschickt. Darin steht, wie es weitergeht, und Ihr persönlicher Link: Damit sehen Sie Ihre Anmeldung jederzeit ein, tauschen Workshops oder sagen ab.", "We have just sent you an e-mail. It says what happens next and holds your personal link: with it you can view your registration at any time, change workshops or cancel."},
	"registered.spam":         {"Keine E-Mail da? Sehen Sie bitte nach einigen Minuten auch im Spam-Ordner nach, oder lassen Sie sich den Link erneut schicken.", "No e-mail? Please check your spam folder after a few minutes, or have the link sent again."},
	"wish.allocated_after":    {"Die Workshop-Plätze werden nicht nach Reihenfolge der Anmeldung vergeben: Bis zum Anmeldeschluss am %s sammeln wir Wünsche, danach verteilen wir die Plätze und schreiben allen, welche Workshops sie besuchen.", "Workshop places are not given out in order of registration: until registration closes on %s we collect wishes, then we allocate the places and write to everyone which workshops they will attend."},
	"wish.allocated_later":    {"Die Workshop-Plätze werden nicht nach Reihenfolge der Anmeldung vergeben: Wir sammeln zuerst Wünsche, verteilen die Plätze nach dem Ende der Anmeldephase und schreiben allen, welche Workshops sie besuchen.", "Workshop places are not given out in order of registration: we collect wishes first, allocate the places after registration closes and write to everyone which workshops they will attend."},
	"wish.places":             {"%d Plätze", "%d places"},
	"manage.leave_queue":      {"Von der Warteliste streichen", "Leave the waiting list"},
	"manage.drop":             {"Workshop abgeben", "Give up this workshop"},
	"manage.left_queue":       {"Sie stehen nicht mehr auf der Warteliste.", "You are no longer on the waiting list."},
	"manage.dropped":          {"Sie haben den Workshop abgegeben; Ihr Platz ist frei für andere.", "You have given up the workshop; your place is free for others."},
	"err.nothing_to_leave":    {"In diesem Zeitraum haben Sie weder einen Platz noch einen Wartelistenplatz.", "You hold neither a place nor a waiting-list place in this slot."},
	"err.slot_required":       {"In diesem Zeitraum ist ein Workshop vorgesehen; Sie können ihn tauschen, aber nicht abgeben.", "This slot needs a workshop; you can change it but not give it up."},
	"mail.swapped.queued":     {"Der Workshop „%s“ ist im Zeitraum %s (%s) leider voll; Sie stehen dort auf der Warteliste (Platz %d). Wird ein Platz frei, wechseln Sie automatisch und bekommen eine E-Mail.", "The workshop “%s” in %s (%s) is full, so you are on its waiting list (position %d). If a place becomes free you move automatically and we will send you an e-mail."},
	"mail.swapped.keep":       {"Bis dahin behalten Sie Ihren Platz in „%s“.", "Until then you keep your place in “%s”."},
	"mail.swapped.queued_sub": {"Warteliste für Ihren Workshop-Wechsel: %s", "Waiting list for your workshop change: %s"},
	"mail.already.subject":    {"Sie sind bereits angemeldet: %s", "You are registered already: %s"},
	"mail.already.intro":      {"mit dieser E-Mail-Adresse ist bereits eine Anmeldung zum Fachtag „%s“ am %s eingegangen. Ihre Anmeldung bleibt, wie sie ist; eine zweite ist nicht nötig. Über den Link unten sehen Sie Ihre Anmeldung und können Workshops tauschen oder stornieren. Falls Sie sich nicht erneut angemeldet haben, können Sie diese E-Mail einfach ignorieren.", "A registration for “%s” on %s has already been made with this e-mail address. It stays as it is; a second one is not needed. With the link below you can view it, change workshops or cancel. If you did not sign up again, simply ignore this e-mail."},
	"mail.left.subject":       {"Änderung Ihrer Anmeldung: %s", "Change to your registration: %s"},
	"mail.left.queue":         {"Sie stehen nicht mehr auf der Warteliste für „%s“ (%s). Ihre Anmeldung zum Fachtag „%s“ bleibt bestehen.", "You are no longer on the waiting list for “%s” (%s). Your registration for “%s” stays."},
	"mail.left.seat":          {"Sie haben Ihren Platz im Workshop „%s“ (%s) abgegeben; er ist jetzt frei für andere. Ihre Anmeldung zum Fachtag „%s“ bleibt bestehen.", "You have given up your place in the workshop “%s” (%s); it is free for others now. Your registration for “%s” stays."},
}
