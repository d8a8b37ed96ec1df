package i18n

import "testing"

func TestQuotedTitles(t *testing.T) {
	tests := []struct {
		format string
		args   []any
		want   string
	}{
		{"zum Fachtag „%s“ am %s.", []any{"Stadt-Land-Flucht", "1. Juni"}, "zum Fachtag „Stadt-Land-Flucht“ am 1. Juni."},
		{"zum Fachtag „%s“ am %s.", []any{"„Wir zusammen“ Netzwerktreffen", "1. Juni"}, "zum Fachtag „Wir zusammen“ Netzwerktreffen am 1. Juni."},
		{"for “%s” on %s", []any{"“We together” meeting", "1 June"}, "for “We together” meeting on 1 June"},
		{"%d%% von „%s“", []any{5, "A „B“"}, "5% von A „B“"},
		{"Platz %d in „%s“", []any{2, "plain"}, "Platz 2 in „plain“"},
		{"ohne Verb", nil, "ohne Verb"},
	}
	for _, tt := range tests {
		if got := sprintf(tt.format, tt.args...); got != tt.want {
			t.Errorf("sprintf(%q, %v) = %q, want %q", tt.format, tt.args, got, tt.want)
		}
	}
}
