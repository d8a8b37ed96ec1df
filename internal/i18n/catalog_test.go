package i18n

import (
	"go/ast"
	"go/parser"
	"go/token"
	"io/fs"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"sort"
	"strconv"
	"strings"
	"testing"
)

// repoRoot is the repository, seen from this package's directory.
const repoRoot = "../.."

// Every text takes the same arguments in German and in English.
func TestCatalogVerbsMatch(t *testing.T) {
	verbs := regexp.MustCompile(`%(\[\d+\])?[-+# 0]*\d*(\.\d+)?[a-zA-Z%]`)
	for key, texts := range catalog {
		de, en := verbs.FindAllString(texts[0], -1), verbs.FindAllString(texts[1], -1)
		sort.Strings(de)
		sort.Strings(en)
		if strings.Join(de, " ") != strings.Join(en, " ") {
			t.Errorf("%s: German verbs %v, English verbs %v", key, de, en)
		}
		if texts[0] == "" || texts[1] == "" {
			t.Errorf("%s: a text is empty: %q", key, texts)
		}
	}
}

// TestEveryKeyUsedExistsAndEveryKeyIsUsed reads the Go code and the
// templates of the whole repository: a string that looks like a key of
// one of the catalogue's namespaces must be in the catalogue, and every
// catalogue key must be used. A key built at run time is written as a
// prefix ("org.status_" + s) or a format ("dash.st_%s"); it uses every
// key it matches.
func TestEveryKeyUsedExistsAndEveryKeyIsUsed(t *testing.T) {
	spaces := map[string]bool{}
	for key := range catalog {
		spaces[strings.SplitN(key, ".", 2)[0]] = true
	}
	used := map[string]bool{}
	for _, u := range keyUses(t) {
		if !spaces[strings.SplitN(u.text, ".", 2)[0]] {
			continue
		}
		pattern, dynamic := keyPattern(u.text)
		if !dynamic {
			if _, ok := catalog[u.text]; !ok {
				t.Errorf("%s: key %q is not in the catalogue", u.where, u.text)
			}
			used[u.text] = true
			continue
		}
		n := 0
		for key := range catalog {
			if pattern.MatchString(key) {
				used[key] = true
				n++
			}
		}
		if n == 0 {
			t.Errorf("%s: no catalogue key matches %q", u.where, u.text)
		}
	}
	var unused []string
	for key := range catalog {
		if !used[key] {
			unused = append(unused, key)
		}
	}
	sort.Strings(unused)
	for _, key := range unused {
		t.Errorf("catalogue key %q is used nowhere", key)
	}
}

var (
	plainKey   = regexp.MustCompile(`^[a-z][a-z0-9_]*(\.[a-z0-9_]+)+$`)
	dynamicKey = regexp.MustCompile(`^[a-z][a-z0-9_]*\.[a-z0-9_.]*(%[sd][a-z0-9_.]*)*$`)
	verb       = regexp.MustCompile(`%[sd]`)
)

// keyPattern tells a plain key from a key built at run time and returns
// the pattern of the keys the latter can become.
func keyPattern(s string) (*regexp.Regexp, bool) {
	if plainKey.MatchString(s) && !strings.HasSuffix(s, "_") {
		return nil, false
	}
	parts := verb.Split(s, -1)
	for i, p := range parts {
		parts[i] = regexp.QuoteMeta(p)
	}
	re := "^" + strings.Join(parts, `[a-z0-9_.]+`)
	if len(parts) == 1 { // a prefix: "org.status_" + s
		re += `[a-z0-9_.]+`
	}
	return regexp.MustCompile(re + "$"), true
}

type use struct{ where, text string }

// keyUses lists the strings of the repository that may be keys.
func keyUses(t *testing.T) []use {
	t.Helper()
	var uses []use
	tmplString := regexp.MustCompile(`\{\{[^}]*\}\}`)
	quoted := regexp.MustCompile(`"(?:[^"\\]|\\.)*"`)
	err := filepath.WalkDir(repoRoot, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() {
			if path != repoRoot && (strings.HasPrefix(d.Name(), ".") || d.Name() == "node_modules") {
				return filepath.SkipDir
			}
			return nil
		}
		switch {
		case strings.HasSuffix(path, "_test.go"), isCatalogFile(path):
			return nil
		case strings.HasSuffix(path, ".go"):
			uses = append(uses, goStrings(t, path)...)
		case strings.HasSuffix(path, ".html") && strings.Contains(path, "templates"),
			strings.HasSuffix(path, ".tmpl"):
			src, err := os.ReadFile(path)
			if err != nil {
				return err
			}
			for _, action := range tmplString.FindAllString(string(src), -1) {
				for _, q := range quoted.FindAllString(action, -1) {
					s, _ := strconv.Unquote(q)
					uses = append(uses, use{path, s})
				}
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if len(uses) == 0 {
		t.Fatal("found no code to check")
	}
	return uses
}

func isCatalogFile(path string) bool {
	dir, file := filepath.Split(path)
	return filepath.Base(dir) == "i18n" && strings.HasPrefix(file, "catalog")
}

// goStrings lists the key-like strings of a Go file. An audit action
// ("checkin.in", "event.create") looks like a key but is a word of its
// own: strings given to a field or variable named Action or action, or as
// the first argument of a method named Audit, are skipped; its text is
// found through the key "lists.action_" + action.
func goStrings(t *testing.T, path string) []use {
	t.Helper()
	fset := token.NewFileSet()
	f, err := parser.ParseFile(fset, path, nil, parser.SkipObjectResolution)
	if err != nil {
		t.Fatalf("parse %s: %v", path, err)
	}
	var uses []use
	var stack []ast.Node
	ast.Inspect(f, func(n ast.Node) bool {
		if n == nil {
			stack = stack[:len(stack)-1]
			return true
		}
		stack = append(stack, n)
		lit, ok := n.(*ast.BasicLit)
		if !ok || lit.Kind != token.STRING || inAction(stack) {
			return true
		}
		if s, err := strconv.Unquote(lit.Value); err == nil && dynamicKey.MatchString(s) {
			uses = append(uses, use{fset.Position(lit.Pos()).String(), s})
		}
		return true
	})
	return uses
}

// inAction reports whether the innermost assignment or field around the
// last node of stack sets something named action.
func inAction(stack []ast.Node) bool {
	isAction := func(e ast.Expr) bool {
		id, ok := e.(*ast.Ident)
		return ok && strings.EqualFold(id.Name, "action")
	}
	for i := len(stack) - 2; i >= 0; i-- {
		switch n := stack[i].(type) {
		case *ast.CallExpr:
			sel, ok := n.Fun.(*ast.SelectorExpr)
			return ok && sel.Sel.Name == "Audit" && len(n.Args) > 0 && n.Args[0] == stack[i+1]
		case *ast.KeyValueExpr:
			if isAction(n.Key) {
				return true
			}
		case *ast.AssignStmt:
			return slices.ContainsFunc(n.Lhs, isAction)
		case *ast.ValueSpec:
			for _, name := range n.Names {
				if isAction(name) {
					return true
				}
			}
			return false
		}
	}
	return false
}
