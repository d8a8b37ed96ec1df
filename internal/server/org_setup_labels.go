package server

import (
	"fmt"
	"html/template"
	"slices"
	"sort"
	"strconv"
	"strings"

	"github.com/fachtag/fachtag/internal/event"
	"github.com/fachtag/fachtag/internal/i18n"
)

// formField is where a single field of the setup form is and what its
// label says (a catalogue key).
type formField struct{ tab, label string }

// formFields are the setup form's single fields by id (and the lists by
// name, for problems of a whole list).
var formFields = map[string]formField{
	"slug": {tabBasics, "setup.slug"}, "title": {tabBasics, "setup.title"},
	"description": {tabBasics, "setup.description"}, "organiser-name": {tabBasics, "setup.organiser"},
	"organiser-email": {tabBasics, "setup.organiser_mail"}, "venue-name": {tabBasics, "setup.venue"},
	"venue-address": {tabBasics, "setup.address"}, "capacity": {tabBasics, "setup.capacity"},
	"languages": {tabBasics, "setup.languages"}, "retention_days": {tabBasics, "setup.retention"},
	"timezone": {tabDates, "setup.timezone"}, "date": {tabDates, "setup.date"},
	"starts_at": {tabDates, "setup.starts_at"}, "ends_at": {tabDates, "setup.ends_at"},
	"registration-mode": {tabRegistration, "setup.mode"}, "registration-opens_at": {tabRegistration, "setup.opens_at"},
	"registration-closes_at":       {tabRegistration, "setup.closes_at"},
	"registration-max_preferences": {tabRegistration, "setup.max_prefs"},
	"privacy":                      {tabLegal, "setup.privacy"}, "imprint": {tabLegal, "setup.imprint"},
	"programme": {tabProgramme, "setup.programme"}, "slots": {tabWorkshops, "setup.slots"},
	"workshops": {tabWorkshops, "setup.workshops"}, "questions": {tabQuestions, "setup.questions"},
}

// formLists are the repeating groups: the legend of a row ("Workshop %d")
// and the labels of its fields.
var formLists = map[string]struct {
	row    string
	fields map[string]string
}{
	"programme": {"setup.item", map[string]string{"starts_at": "setup.starts_at", "ends_at": "setup.ends_at",
		"title": "setup.title", "kind": "setup.kind", "speakers": "setup.speakers"}},
	"slots": {"setup.slot", map[string]string{"key": "setup.key", "title": "setup.title",
		"starts_at": "setup.starts_at", "ends_at": "setup.ends_at"}},
	"workshops": {"setup.workshop", map[string]string{"key": "setup.key", "slot": "setup.ws_slot",
		"title": "setup.title", "description": "setup.description", "hosts": "setup.hosts", "room": "setup.room",
		"capacity": "setup.ws_capacity", "min_participants": "setup.min", "topic": "setup.topic"}},
	"questions": {"setup.question", map[string]string{"key": "setup.key", "type": "setup.q_type",
		"label-de": "setup.label_de", "label-en": "setup.label_en", "options": "setup.options"}},
}

// listSection is the tab of each repeating group.
var listSection = map[string]string{"programme": tabProgramme, "slots": tabWorkshops,
	"workshops": tabWorkshops, "questions": tabQuestions}

// fieldPlace is the tab and the label of the field with the id, as the
// organiser reads it: "Workshop 1 – Plätze". ok is false for an id that
// names no field of the form.
func fieldPlace(lang, id string) (tab, label string, ok bool) {
	if f, ok := formFields[id]; ok {
		return f.tab, i18n.T(lang, f.label), true
	}
	parts := strings.SplitN(id, "-", 3)
	if len(parts) < 3 {
		return "", "", false
	}
	l, ok := formLists[parts[0]]
	n, err := strconv.Atoi(parts[1])
	key, known := l.fields[parts[2]]
	if !ok || err != nil || !known {
		return "", "", false
	}
	return listSection[parts[0]], i18n.T(lang, l.row, n+1) + " – " + i18n.T(lang, key), true
}

// summarise is the error summary of a setup form showing section (""
// for the new-event form): every problem under its field's label, linked
// to the field; a field on another tab is named with its tab and linked
// there.
func summarise(lang string, errs formErrors, ev *event.Event, section string) []formProblem {
	out := make([]formProblem, 0, len(errs))
	for id, msg := range errs {
		p := formProblem{ID: id, Message: msg}
		tab, label, ok := fieldPlace(lang, id)
		switch {
		case !ok:
		case tab == section || section == "" && (tab == tabBasics || tab == tabDates):
			p.Label, p.URL = label, "#"+id
		case ev != nil:
			t, _ := formTab(tab)
			p.Label = i18n.T(lang, "setup.in_tab", i18n.T(lang, t.Label), label)
			p.URL = tabURL(ev, t) + "?lang=" + lang + "#" + id
		default:
			p.Label = label
		}
		out = append(out, p)
	}
	sort.Slice(out, func(i, j int) bool { return fieldOrder(out[i].ID) < fieldOrder(out[j].ID) })
	return out
}

// fieldOrder sorts the summary as the tabs and rows come: by tab, then
// by id with its row number padded so that row 10 follows row 9.
func fieldOrder(id string) string {
	tab, _, _ := fieldPlace("de", id)
	pos := len(setupTabs)
	for i, t := range setupTabs {
		if t.Key == tab {
			pos = i
		}
	}
	parts := strings.SplitN(id, "-", 3)
	if len(parts) == 3 {
		if n, err := strconv.Atoi(parts[1]); err == nil {
			id = fmt.Sprintf("%s-%04d-%s", parts[0], n, parts[2])
		}
	}
	return strconv.Itoa(pos) + "/" + id
}

// setupFuncs are the template functions of programme kinds: "kind" names
// a kind in lang (one outside event.ProgrammeKinds as written),
// "kindOptions" lists the kinds a select offers, keeping an unknown
// current one.
func setupFuncs(lang string) template.FuncMap {
	return template.FuncMap{
		"kind": func(k string) string {
			if slices.Contains(event.ProgrammeKinds, k) {
				return i18n.T(lang, "kind."+k)
			}
			return k
		},
		"legalDoc": func(id, label, text, url string, errs formErrors) legalDoc {
			return legalDoc{ID: id, Label: label, Text: text, URL: url, Errors: errs}
		},
		"summary": func(heading string, problems []formProblem) errorSummary {
			return errorSummary{Heading: heading, Problems: problems}
		},
		"kindOptions": func(current string) []string {
			if current == "" || slices.Contains(event.ProgrammeKinds, current) {
				return event.ProgrammeKinds
			}
			return append(slices.Clone(event.ProgrammeKinds), current)
		},
	}
}

// legalDoc is the data of the legal tab's partial for one document.
type legalDoc struct {
	ID, Label, Text, URL string
	Errors               formErrors
}

// errorSummary is the data of the partial "setup-summary".
type errorSummary struct {
	Heading  string
	Problems []formProblem
}
