package i18n

// limitTexts are the answers of the limits and the input checks that hold
// across replicas: the login slowdown, broken bodies, cross-site requests.
var limitTexts = map[string][2]string{
	"org.throttled": {"Für dieses Konto gab es gerade viele Fehlversuche, deshalb prüfen wir Passwörter nur langsam. Bitte versuchen Sie es in %d Sekunden noch einmal oder setzen Sie Ihr Passwort zurück.",
		"There have just been many failed attempts on this account, so we check passwords slowly. Please try again in %d seconds or reset your password."},
	"err.bad_form": {"Das Formular kam beschädigt an. Bitte laden Sie die Seite neu und senden Sie es noch einmal.",
		"The form arrived damaged. Please reload the page and send it again."},
	"err.bad_form_field": {"Das Feld „%s“ kam beschädigt an (ungültige %%-Kodierung). Bitte laden Sie die Seite neu und senden Sie das Formular noch einmal.",
		"The field “%s” arrived damaged (invalid %%-encoding). Please reload the page and send the form again."},
	"json.duplicate_key": {"„%s“ steht zweimal in der Anfrage; bitte nur einmal angeben.", "“%s” appears twice in the request; please give it only once."},
	"err.cross_origin": {"Diese Anfrage kam von einer anderen Website und wurde zu Ihrem Schutz abgelehnt. Bitte öffnen Sie die Seite direkt und senden Sie das Formular dort ab.",
		"This request came from another website and was refused for your protection. Please open the page directly and send the form there."},
}
