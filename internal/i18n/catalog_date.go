package i18n

// dateTexts holds the names and shapes of dates (see LongDate, Month and
// TimeSpan).
var dateTexts = map[string][2]string{
	"date.long":      {"%s, %d. %s %d", "%s, %d %s %d"}, // weekday, day, month, year
	"date.span":      {"%s–%s Uhr", "%s–%s"},            // from, to (15:04)
	"date.weekday_0": {"Sonntag", "Sunday"},
	"date.weekday_1": {"Montag", "Monday"},
	"date.weekday_2": {"Dienstag", "Tuesday"},
	"date.weekday_3": {"Mittwoch", "Wednesday"},
	"date.weekday_4": {"Donnerstag", "Thursday"},
	"date.weekday_5": {"Freitag", "Friday"},
	"date.weekday_6": {"Samstag", "Saturday"},
	"date.month_1":   {"Januar", "January"},
	"date.month_2":   {"Februar", "February"},
	"date.month_3":   {"März", "March"},
	"date.month_4":   {"April", "April"},
	"date.month_5":   {"Mai", "May"},
	"date.month_6":   {"Juni", "June"},
	"date.month_7":   {"Juli", "July"},
	"date.month_8":   {"August", "August"},
	"date.month_9":   {"September", "September"},
	"date.month_10":  {"Oktober", "October"},
	"date.month_11":  {"November", "November"},
	"date.month_12":  {"Dezember", "December"},
}
