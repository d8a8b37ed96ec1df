package demo

import (
	"fmt"
	"math/rand/v2"
	"strings"

	"github.com/fachtag/fachtag/internal/booking"
	"github.com/fachtag/fachtag/internal/event"
)

// wishCount is how many made-up people rank workshops in the demo's
// wish-phase event: enough for a demand chart, few enough to read.
const wishCount = 24

var (
	firstNames = []string{"Amira", "Bernd", "Carla", "Dawit", "Elena", "Farid", "Gesa", "Hamid", "Ines", "Jonas",
		"Katrin", "Leyla", "Malte", "Nadia", "Olaf", "Petra", "Qasim", "Rieke", "Samir", "Tanja", "Ulrike", "Volkan", "Wiebke", "Yusuf"}
	lastNames = []string{"Haddad", "Vogel", "Nowak", "Tesfaye", "Petrova", "Rahimi", "Janssen", "Karimi", "Brandt", "Meyer",
		"Lange", "Yilmaz", "Hinrichs", "Saleh", "Behrens", "Schulte", "Ahmadi", "Kruse", "Aziz", "Wolff", "Dierks", "Demir", "Focken", "Osman"}
	organisations = []string{"Jobcenter Bremen", "Agentur für Arbeit Bremerhaven", "Beratungsstelle Arbeit und Migration",
		"Handwerkskammer Bremen", "Verein Zuflucht e. V.", "Senatorin für Arbeit"}
)

// wishers are the demo's sign-ups to the wish-phase event f: the same
// people on every run (a fixed seed), each with up to max_preferences
// ranked wishes per slot, the first workshops of each slot more popular
// than the last so the demand chart shows a queue.
func wishers(f *event.File) []booking.Request {
	rng := rand.New(rand.NewPCG(2025, 10))
	out := make([]booking.Request, 0, wishCount)
	for i := range wishCount {
		name := firstNames[i%len(firstNames)] + " " + lastNames[(i*7)%len(lastNames)]
		req := booking.Request{Name: name, Language: "de",
			Email:        strings.ToLower(strings.ReplaceAll(name, " ", ".")) + "@example.org",
			Organisation: organisations[i%len(organisations)], Answers: answers(f, i),
			Consents: booking.Consents{Privacy: true}, Preferences: map[string][]string{}}
		for _, s := range f.Slots {
			req.Preferences[s.Key] = ranked(rng, inSlot(f, s.Key), f.Registration.MaxPreferences)
		}
		out = append(out, req)
	}
	return out
}

// answers fills the required questions: the i-th option of a choice, yes
// to a checkbox, a short text otherwise.
func answers(f *event.File, i int) map[string]any {
	a := map[string]any{}
	for _, q := range f.Questions {
		switch {
		case !q.Required:
		case q.Type == "checkbox":
			a[q.Key] = true
		case q.Type == "choice" && len(q.Options) > 0:
			a[q.Key] = q.Options[i%len(q.Options)]
		default:
			a[q.Key] = fmt.Sprintf("Angabe %d", i+1)
		}
	}
	return a
}

func inSlot(f *event.File, slot string) []string {
	var keys []string
	for _, w := range f.Workshops {
		if w.Slot == slot {
			keys = append(keys, w.Key)
		}
	}
	return keys
}

// ranked draws n distinct keys, earlier keys weighted more.
func ranked(rng *rand.Rand, keys []string, n int) []string {
	left := append([]string(nil), keys...)
	var out []string
	for len(out) < n && len(left) > 0 {
		total := 0
		for j := range left {
			total += len(left) - j + 1
		}
		r := rng.IntN(total)
		for j := range left {
			if r -= len(left) - j + 1; r < 0 {
				out, left = append(out, left[j]), append(left[:j], left[j+1:]...)
				break
			}
		}
	}
	return out
}
