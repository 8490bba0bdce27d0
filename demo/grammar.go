package demo

import (
	"strconv"
	"strings"
	"time"
	"unicode"
)

// lowStock is the stock at or below which a line says "only N left": the
// point where the viewer's card turns to "only N left" too.
const lowStock = 5

// noun is a name a line speaks of, with the grammatical number its verbs
// and pronouns agree with: "the Linear switches are", "the Mug is".
type noun struct {
	Name   string
	Plural bool
}

// nounOf gives a catalog name the number its last word has.
func nounOf(name string) noun { return noun{Name: name, Plural: pluralName(name)} }

// singularInS are words that end in s but take a singular verb.
var singularInS = map[string]bool{
	"atlas": true, "bus": true, "canvas": true, "chaos": true, "gas": true, "iris": true,
	"lens": true, "news": true, "pothos": true, "series": true, "species": true,
}

// pluralName reports whether a product or variant name is plural. Catalog
// names are noun phrases with the head noun last ("Wool Reading Socks",
// "Linear switches", "Desk Pothos in Clay Pot"), so the last word decides;
// a remark in brackets after it is skipped ("Small (10 cm pot)"). Sizes
// and codes ("S/M", "8 oz", "A5") are singular.
func pluralName(name string) bool {
	if i := strings.IndexByte(name, '('); i > 0 {
		name = name[:i]
	}
	words := strings.FieldsFunc(name, func(r rune) bool { return !unicode.IsLetter(r) && r != '\'' })
	if len(words) == 0 {
		return false
	}
	w := strings.ToLower(words[len(words)-1])
	switch {
	case len(w) < 3 || !strings.HasSuffix(w, "s") || singularInS[w]:
		return false
	case strings.HasSuffix(w, "ss"), strings.HasSuffix(w, "us"), strings.HasSuffix(w, "'s"):
		return false
	}
	return true
}

// agreed returns the word a placeholder {singular/plural:product} or
// {singular/plural:variant} stands for: {is/are:product} is "is" for a
// singular product and "are" for a plural one. ok is false for any other
// placeholder.
func agreed(ph string, product, variant noun) (word string, ok bool) {
	words, of, ok := strings.Cut(ph, ":")
	if !ok {
		return "", false
	}
	singular, plural, ok := strings.Cut(words, "/")
	var n noun
	switch of {
	case "product":
		n = product
	case "variant":
		n = variant
	default:
		return "", false
	}
	if !ok {
		return "", false
	}
	if n.Plural {
		return plural, true
	}
	return singular, true
}

// agrees reports whether a template has a word that agrees with a name.
func agrees(tmpl string) bool {
	return strings.Contains(tmpl, ":product}") || strings.Contains(tmpl, ":variant}")
}

// expand replaces each {placeholder} of tmpl that value knows and leaves
// the others. What it puts in is not read again, so a name with braces in
// it stays as it is.
func expand(tmpl string, value func(ph string) (string, bool)) string {
	if !strings.Contains(tmpl, "{") {
		return tmpl
	}
	var b strings.Builder
	for {
		i := strings.IndexByte(tmpl, '{')
		j := strings.IndexByte(tmpl[max(i, 0):], '}')
		if i < 0 || j < 0 {
			break
		}
		j += i
		b.WriteString(tmpl[:i])
		if v, ok := value(tmpl[i+1 : j]); ok {
			b.WriteString(v)
		} else {
			b.WriteString(tmpl[i : j+1])
		}
		tmpl = tmpl[j+1:]
	}
	b.WriteString(tmpl)
	return b.String()
}

// inVariant names a variant after its product: "in Blue", and "with Linear
// switches" for a variant that is a plural thing the product comes with.
func inVariant(v noun) string {
	if v.Plural {
		return "with " + v.Name
	}
	return "in " + v.Name
}

// left says how many are left, as the viewer's card does: "only" for a
// handful, the plain number otherwise.
func left(stock int) string {
	n := strconv.Itoa(stock)
	switch {
	case stock <= 0:
		return "none left"
	case stock <= lowStock:
		return "only " + n + " left"
	case stock <= 20:
		return n + " left"
	default:
		return n + " in stock"
	}
}

// stockNote remarks on the stock of the variant a line is about.
func stockNote(stock int, v noun) string {
	if stock <= 0 {
		return "sold out " + inVariant(v) + " for now, more soon!"
	}
	end := "."
	if stock <= lowStock {
		end = "!"
	}
	return left(stock) + " " + inVariant(v) + end
}

// spoken says a duration the way a host would: "45 seconds", "2 minutes".
// Part of a second counts as a whole one, as in the countdown viewers see
// on a deal, so the host and the screen say the same.
func spoken(d time.Duration) string {
	secs := int((d + time.Second - 1) / time.Second)
	switch {
	case secs == 1:
		return "1 second"
	case secs == 60:
		return "a minute"
	case secs > 60 && secs%60 == 0:
		return strconv.Itoa(secs/60) + " minutes"
	}
	return strconv.Itoa(secs) + " seconds"
}
