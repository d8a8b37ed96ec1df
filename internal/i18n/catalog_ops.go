package i18n

// opsTexts are what organisers and participants see of outages: the
// database not answering, mails that cannot be sent.
var opsTexts = map[string][2]string{
	"err.unavailable": {"Der Dienst ist gerade kurz gestört. Bitte versuchen Sie es in einer Minute noch einmal.",
		"The service is briefly disrupted. Please try again in a minute."},
	"ops.mail_title": {"Mailversand gestört", "Mail delivery disrupted"},
	"ops.mail_stalled": {"Mails stocken seit %s (%d Mails warten). Sie gehen von selbst hinaus, sobald der Mailserver wieder antwortet.",
		"Mails have been stuck since %s (%d mails waiting). They go out by themselves as soon as the mail server answers again."},
	"ops.mail_stalled_one": {"Mails stocken seit %s (1 Mail wartet). Sie geht von selbst hinaus, sobald der Mailserver wieder antwortet.",
		"Mails have been stuck since %s (1 mail waiting). It goes out by itself as soon as the mail server answers again."},
}
