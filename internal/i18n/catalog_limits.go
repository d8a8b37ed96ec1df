package i18n

// limitTexts are the answers of the limits and the input checks that hold
// across replicas: the login slowdown, broken bodies, cross-site requests.
var limitTexts = map[string][2]string{
	"org.throttled": {"Für dieses Konto gab es gerade viele Fehlversuche, deshalb prüfen wir Passwörter nur langsam. Bitte versuchen Sie es in %d Sekunden noch einmal oder setzen Sie Ihr Passwort zurück.",
		"There have just been many failed attempts on this account, so we check passwords slowly. Please try again in %d seconds or reset your password."},
}
