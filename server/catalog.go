package server

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"iter"
	"os"
	"reflect"
	"slices"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/livecart/livecart/money"
	"github.com/livecart/livecart/protocol"
	"github.com/livecart/livecart/sanitize"
)

// Catalog is what a show sells: the show's name and its products. It is the
// show's starting state; while the show runs, stock, prices and deals
// change, and nothing else.
type Catalog struct {
	Show     protocol.ShowInfo  `json:"show"`
	Products []protocol.Product `json:"products"`
}

// catalogFile is a catalog as its file is written. Currency is the one
// currency of the catalog, for prices written as a bare number; it may be
// left out when every price names its currency.
type catalogFile struct {
	Show     protocol.ShowInfo `json:"show"`
	Currency string            `json:"currency"`
	Products []catalogProduct  `json:"products"`
}

// catalogProduct is a product as a catalog file writes it. Its Price
// shadows the embedded one, which encoding/json then leaves alone.
type catalogProduct struct {
	protocol.Product
	Price catalogPrice `json:"price"`
}

// catalogPrice is a price as written in a catalog file, kept raw until the
// catalog's currency is known: either {"amount": 2800, "currency": "USD"}
// or 2800, minor units in the catalog's currency.
type catalogPrice []byte

// UnmarshalJSON keeps the raw value.
func (p *catalogPrice) UnmarshalJSON(b []byte) error {
	*p = append((*p)[:0], b...)
	return nil
}

// LoadCatalog reads and parses the catalog file at path. Its errors start
// with "catalog PATH: " and give the line and column of a mistake.
func LoadCatalog(path string) (Catalog, error) {
	if info, err := os.Stat(path); err == nil && info.IsDir() {
		return Catalog{}, fmt.Errorf("catalog %s: is a folder, not a file", path)
	}
	data, err := os.ReadFile(path)
	var pe *fs.PathError
	switch {
	case errors.Is(err, fs.ErrNotExist):
		return Catalog{}, fmt.Errorf("catalog %s: no such file", path)
	case errors.As(err, &pe):
		return Catalog{}, fmt.Errorf("catalog %s: %w", path, pe.Err)
	case err != nil:
		return Catalog{}, fmt.Errorf("catalog %s: %w", path, err)
	}
	c, err := ParseCatalog(data)
	if err != nil {
		return Catalog{}, fmt.Errorf("catalog %s: %w", path, err)
	}
	return c, nil
}

// ParseCatalog reads a catalog file strictly: unknown fields and trailing
// data are errors, because a typo in a hand-edited catalog ("stok") would
// otherwise silently become zero. Errors give the line and column of the
// mistake and name the product they are about, in JSON's terms rather
// than Go's. The result has passed Validate.
func ParseCatalog(data []byte) (Catalog, error) {
	var f catalogFile
	if err := decodeStrict(data, &f); err != nil {
		return Catalog{}, jsonProblem(data, f, err)
	}
	if f.Currency != "" && !money.ValidCurrency(f.Currency) {
		return Catalog{}, locate(data, atPath{"currency",
			fmt.Errorf("currency %q is not an ISO 4217 code: want three capital letters, such as USD", f.Currency)})
	}
	c := Catalog{Show: f.Show, Products: make([]protocol.Product, len(f.Products))}
	for i, p := range f.Products {
		price, err := p.Price.money(f.Currency)
		if err != nil {
			path := "products." + strconv.Itoa(i) + ".price"
			if len(p.Price) == 0 {
				path = "products." + strconv.Itoa(i)
			}
			return Catalog{}, locate(data, atPath{path, productErr(i, p.ID, err)})
		}
		c.Products[i] = p.Product
		c.Products[i].Price = price
	}
	if err := c.Validate(); err != nil {
		return Catalog{}, locate(data, err)
	}
	return c, nil
}

// money returns the price, in currency when written as a bare number.
func (p catalogPrice) money(currency string) (money.Money, error) {
	raw := bytes.TrimSpace(p)
	switch {
	case len(raw) == 0 || string(raw) == "null":
		return money.Money{}, errors.New("has no price")
	case raw[0] == '{':
		var m money.Money
		if err := decodeStrict(raw, &m); err != nil {
			return money.Money{}, fmt.Errorf("price: %w", typeProblem(err))
		}
		// A price without a valid currency is left to Validate to say so.
		if currency != "" && money.ValidCurrency(m.Currency) && m.Currency != currency {
			return money.Money{}, fmt.Errorf("price in %s, but the catalog is in %s", m.Currency, currency)
		}
		return m, nil
	case raw[0] == '-' || (raw[0] >= '0' && raw[0] <= '9'):
		return bareAmount(string(raw), currency)
	}
	return money.Money{}, fmt.Errorf("price: want a whole number of minor units, such as 2800, or {\"amount\": 2800, \"currency\": \"USD\"}; got %s", jsonKind(raw))
}

// bareAmount reads a price written as a bare number of minor units.
func bareAmount(lit, currency string) (money.Money, error) {
	n, err := strconv.ParseInt(lit, 10, 64)
	switch {
	case errors.Is(err, strconv.ErrRange) && lit[0] == '-', err == nil && n < 0:
		return money.Money{}, fmt.Errorf("price %s is negative", lit)
	case errors.Is(err, strconv.ErrRange), err == nil && n > money.MaxAmount:
		return money.Money{}, fmt.Errorf("price %s is more than %d minor units, the most a price may be", lit, money.MaxAmount)
	case err != nil:
		return money.Money{}, fmt.Errorf("price %s is not a whole number of minor units, such as 2800 for 28.00", lit)
	case currency == "":
		return money.Money{}, fmt.Errorf("price %s has no currency: name the catalog's currency beside \"show\" (\"currency\": \"USD\"), or write the price as {\"amount\": %s, \"currency\": \"USD\"}", lit, lit)
	}
	return money.New(n, currency), nil
}

// decodeStrict decodes one JSON value into v, refusing unknown fields and
// anything after the value.
func decodeStrict(data []byte, v any) error {
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.DisallowUnknownFields()
	if err := dec.Decode(v); err != nil {
		return err
	}
	end := dec.InputOffset()
	if _, err := dec.Token(); !errors.Is(err, io.EOF) {
		return trailingError{offset: end}
	}
	return nil
}

// trailingError is data after the catalog's one JSON value.
type trailingError struct{ offset int64 }

func (e trailingError) Error() string { return "more data after the JSON value" }

// Validate checks that the catalog can be served: a valid show, 1 to
// protocol.MaxProducts valid products, product and variant IDs each unique
// across the catalog, and one currency throughout, since a checkout total
// cannot add dollars to euros. Display text must already be plain (what
// sanitize.Line would leave unchanged): a catalog is the operator's own
// file, so a control character in it is a mistake to report, not to hide.
func (c Catalog) Validate() error {
	if !protocol.ValidID(c.Show.ID) {
		return atPath{"show", fmt.Errorf("show id %q is not a valid id", c.Show.ID)}
	}
	if err := checkDisplay("show title", c.Show.Title, protocol.MaxTitleRunes, true); err != nil {
		return atPath{"show", err}
	}
	if err := checkDisplay("show host", c.Show.Host, protocol.MaxNameRunes, false); err != nil {
		return atPath{"show", err}
	}
	if n := len(c.Products); n == 0 || n > protocol.MaxProducts {
		return atPath{"products", fmt.Errorf("catalog has %d products, want 1 to %d", n, protocol.MaxProducts)}
	}
	currency := c.Products[0].Price.Currency
	products := make(map[string]bool, len(c.Products))
	variants := make(map[string]string) // variant ID -> product ID
	for i, p := range c.Products {
		at := "products." + strconv.Itoa(i)
		if err := checkProduct(p); err != nil {
			return atPath{at, productErr(i, p.ID, err)}
		}
		if products[p.ID] {
			return atPath{at, productErr(i, p.ID, errors.New("product id used twice"))}
		}
		products[p.ID] = true
		if p.Price.Currency != currency {
			return atPath{at + ".price", productErr(i, p.ID, fmt.Errorf("price in %s, but the catalog is in %s", p.Price.Currency, currency))}
		}
		for _, v := range p.Variants {
			if other, dup := variants[v.ID]; dup {
				return atPath{at, productErr(i, p.ID, fmt.Errorf("variant id %q is already used by product %q", v.ID, other))}
			}
			variants[v.ID] = p.ID
		}
	}
	return nil
}

// productErr says which product, by place and id, err is about.
func productErr(i int, id string, err error) error {
	return fmt.Errorf("product %d (%q): %w", i+1, id, err)
}

// atPath is an error about the value at a JSON path of the catalog file,
// such as "products.2.price", so that ParseCatalog can give its line.
type atPath struct {
	path string
	err  error
}

func (e atPath) Error() string { return e.err.Error() }
func (e atPath) Unwrap() error { return e.err }

func checkProduct(p protocol.Product) error {
	if err := p.Validate(); err != nil {
		return err
	}
	if p.Deal != nil {
		// A deal has an end in server time and a timer to end it: the host
		// starts one during the show.
		return errors.New("has a deal; deals are started by the host during the show")
	}
	if err := checkDisplay("name", p.Name, protocol.MaxProductNameRunes, true); err != nil {
		return err
	}
	if err := checkDisplay("description", p.Description, protocol.MaxDescriptionRunes, false); err != nil {
		return err
	}
	for _, v := range p.Variants {
		if err := checkDisplay("variant "+v.ID+" name", v.Name, protocol.MaxProductNameRunes, true); err != nil {
			return err
		}
	}
	return nil
}

// checkDisplay checks text shown to viewers: present when required, within
// maxRunes and plain.
func checkDisplay(what, s string, maxRunes int, required bool) error {
	if required && s == "" {
		return fmt.Errorf("%s is empty", what)
	}
	if n := utf8.RuneCountInString(s); n > maxRunes {
		return fmt.Errorf("%s is %d characters, more than %d", what, n, maxRunes)
	}
	if sanitize.Line(s) != s {
		return fmt.Errorf("%s %q has control characters, invisible characters, line breaks or extra spaces", what, s)
	}
	return nil
}

// clone returns a deep copy of products: the variants and deals are copied
// too, so the copy and the original can change independently.
func clone(products []protocol.Product) []protocol.Product {
	out := make([]protocol.Product, len(products))
	for i, p := range products {
		out[i] = cloneProduct(p)
	}
	return out
}

func cloneProduct(p protocol.Product) protocol.Product {
	p.Variants = append([]protocol.Variant(nil), p.Variants...)
	if p.Deal != nil {
		d := *p.Deal
		p.Deal = &d
	}
	return p
}

// The rest of this file turns decoding errors into positions in the file
// and words of JSON: encoding/json reports byte offsets and Go types.

// jsonProblem describes an error from decoding the catalog file data into
// f, with the line and column where the decoder stopped.
func jsonProblem(data []byte, f catalogFile, err error) error {
	var (
		syntax   *json.SyntaxError
		typ      *json.UnmarshalTypeError
		trailing trailingError
	)
	switch {
	case errors.Is(err, io.EOF):
		return errors.New("the file is empty; want a JSON object with \"show\" and \"products\"")
	case errors.Is(err, io.ErrUnexpectedEOF):
		return fmt.Errorf("%s: the file ends inside the JSON: a {, [ or \" is not closed", position(data, int64(len(data))))
	case errors.As(err, &syntax):
		return fmt.Errorf("%s: %s", position(data, syntax.Offset-1), syntax.Error())
	case errors.As(err, &trailing):
		return fmt.Errorf("%s: more after the catalog's closing }", position(data, skipSpace(data, trailing.offset)))
	case errors.As(err, &typ):
		at := valueStart(data, typ.Offset)
		field := typ.Field
		if field == "" {
			return fmt.Errorf("%s: want a JSON object with \"show\" and \"products\", got %s", position(data, at), jsonGot(typ.Value))
		}
		// typ.Field names embedded Go structs too; the walk has the path
		// as the file spells it.
		idx := indexJSON(data, reflect.TypeFor[catalogFile]())
		best := ""
		for path, off := range idx.at {
			if off == at && len(path) > len(best) {
				best = path
			}
		}
		if best != "" {
			field = pathFields(best)
		}
		return fmt.Errorf("%s: %s%s: %s", position(data, at), productAt(f, idx, at), relField(field), wantGot(typ))
	}
	if name, ok := unknownField(err); ok {
		idx := indexJSON(data, reflect.TypeFor[catalogFile]())
		if idx.unknownPath == "" { // the walk and the decoder disagree; say what is known
			return fmt.Errorf("unknown field %q", name)
		}
		in := ""
		if parent := relField(pathFields(idx.unknownPath[:max(strings.LastIndexByte(idx.unknownPath, '.'), 0)])); parent != "" {
			in = " in " + parent
		}
		return fmt.Errorf("%s: %sunknown field %q%s (known: %s)", position(data, idx.unknownAt), productAt(f, idx, idx.unknownAt),
			name, in, strings.Join(idx.unknownKnown, ", "))
	}
	return err
}

// locate prefixes an atPath error with the line and column of its value.
func locate(data []byte, err error) error {
	var ap atPath
	if !errors.As(err, &ap) {
		return err
	}
	idx := indexJSON(data, reflect.TypeFor[catalogFile]())
	off, ok := idx.at[ap.path]
	if !ok {
		return err
	}
	return fmt.Errorf("%s: %w", position(data, off), err)
}

// unknownField returns the name in encoding/json's error for a field the
// type does not have.
func unknownField(err error) (string, bool) {
	q, ok := strings.CutPrefix(err.Error(), "json: unknown field ")
	if !ok {
		return "", false
	}
	name, uerr := strconv.Unquote(q)
	return name, uerr == nil
}

// typeProblem rewords an error from decoding a price object.
func typeProblem(err error) error {
	var typ *json.UnmarshalTypeError
	if errors.As(err, &typ) {
		if typ.Field == "" {
			return fmt.Errorf("want an object, got %s", jsonGot(typ.Value))
		}
		return fmt.Errorf("%s: %s", typ.Field, wantGot(typ))
	}
	if name, ok := unknownField(err); ok {
		return fmt.Errorf("unknown field %q (known: amount, currency)", name)
	}
	var trailing trailingError
	if errors.As(err, &trailing) {
		return errors.New("more after the closing }")
	}
	return err
}

// productAt names the product whose value holds offset, as "product 2
// ("mug"): ", or "" when offset is outside the products.
func productAt(f catalogFile, idx jsonIndex, offset int64) string {
	i := -1
	for j := 0; ; j++ {
		start, ok := idx.at["products."+strconv.Itoa(j)]
		if !ok || start > offset {
			break
		}
		i = j
	}
	if i < 0 {
		return ""
	}
	id := ""
	if i < len(f.Products) {
		id = f.Products[i].ID
	}
	return fmt.Sprintf("product %d (%q): ", i+1, id)
}

// relField is a field path without the "products." that productAt says.
func relField(field string) string {
	return strings.TrimPrefix(strings.TrimPrefix(field, "products"), ".")
}

// pathFields drops the array indexes of a JSON path: "products.2.variants.0"
// becomes "products.variants", as encoding/json names fields.
func pathFields(path string) string {
	var keep []string
	for part := range strings.SplitSeq(path, ".") {
		if _, err := strconv.Atoi(part); err != nil && part != "" {
			keep = append(keep, part)
		}
	}
	return strings.Join(keep, ".")
}

// wantGot says what a value should have been and what it was, in JSON's
// words.
func wantGot(typ *json.UnmarshalTypeError) string {
	lit, isNum := strings.CutPrefix(typ.Value, "number ")
	switch typ.Type.Kind() {
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64,
		reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64:
		if isNum {
			if strings.ContainsAny(lit, ".eE") {
				return lit + " is not a whole number"
			}
			if strings.HasPrefix(lit, "-") && typ.Type.Kind() >= reflect.Uint {
				return lit + " is negative"
			}
			return lit + " is too large"
		}
	}
	return "want " + jsonWant(typ.Type) + ", got " + jsonGot(typ.Value)
}

// jsonWant names the JSON kind that decodes into t.
func jsonWant(t reflect.Type) string {
	switch t.Kind() {
	case reflect.String:
		return "a string"
	case reflect.Bool:
		return "true or false"
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64,
		reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64:
		return "a whole number"
	case reflect.Float32, reflect.Float64:
		return "a number"
	case reflect.Slice, reflect.Array:
		return "an array [...]"
	case reflect.Struct, reflect.Map, reflect.Pointer:
		return "an object {...}"
	}
	return "another kind of value"
}

// jsonGot names the JSON kind encoding/json reports in
// UnmarshalTypeError.Value: "string", "number", "number 1.5", "bool",
// "array" or "object".
func jsonGot(value string) string {
	if lit, ok := strings.CutPrefix(value, "number "); ok {
		return lit
	}
	switch value {
	case "bool":
		return "true or false"
	case "array", "object":
		return "an " + value
	}
	return "a " + value
}

// jsonKind names the kind of the raw JSON value b.
func jsonKind(b []byte) string {
	switch b[0] {
	case '"':
		return "a string"
	case '[':
		return "an array"
	case 't', 'f':
		return "true or false"
	}
	return string(b)
}

// position is "line L, column C" of offset in data, both from 1, the
// column in characters.
func position(data []byte, offset int64) string {
	offset = min(max(offset, 0), int64(len(data)))
	before := data[:offset]
	line := bytes.Count(before, []byte("\n")) + 1
	col := utf8.RuneCount(before[bytes.LastIndexByte(before, '\n')+1:]) + 1
	return fmt.Sprintf("line %d, column %d", line, col)
}

// skipSpace returns the offset of the first byte at or after offset that
// is not white space, nor the comma or colon between values.
func skipSpace(data []byte, offset int64) int64 {
	for offset < int64(len(data)) && strings.IndexByte(" \t\r\n,:", data[offset]) >= 0 {
		offset++
	}
	return offset
}

// valueStart returns where the value that ends at end begins.
// UnmarshalTypeError.Offset is the end of a string, number or literal,
// and just past the { or [ of an object or array.
func valueStart(data []byte, end int64) int64 {
	i := min(max(end, 0), int64(len(data)))
	switch {
	case i == 0:
		return 0
	case data[i-1] == '{' || data[i-1] == '[':
		return i - 1
	case data[i-1] == '"':
		for j := i - 2; j >= 0; j-- {
			if data[j] != '"' {
				continue
			}
			backslashes := int64(0)
			for k := j - 1; k >= 0 && data[k] == '\\'; k-- {
				backslashes++
			}
			if backslashes%2 == 0 {
				return j
			}
		}
		return i - 1
	}
	j := i
	for j > 0 && strings.IndexByte("+-.0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ", data[j-1]) >= 0 {
		j--
	}
	return j
}

// jsonIndex is where the values of a JSON document are, by path
// ("products.2.price"), and the first object key that the type the
// document decodes into has no field for.
type jsonIndex struct {
	at           map[string]int64
	unknownPath  string
	unknownAt    int64
	unknownKnown []string // the fields known where the unknown key is
}

// indexJSON walks data, a syntactically valid document, beside t, the
// type it decodes into. It is only called to explain an error.
func indexJSON(data []byte, t reflect.Type) jsonIndex {
	w := jsonWalk{data: data, dec: json.NewDecoder(bytes.NewReader(data)), idx: jsonIndex{at: make(map[string]int64)}}
	_ = w.value("", t) // a walk cut short still places what it passed
	return w.idx
}

type jsonWalk struct {
	data []byte
	dec  *json.Decoder
	idx  jsonIndex
}

func (w *jsonWalk) value(path string, t reflect.Type) error {
	for t != nil && t.Kind() == reflect.Pointer {
		t = t.Elem()
	}
	if t != nil && reflect.PointerTo(t).Implements(reflect.TypeFor[json.Unmarshaler]()) {
		t = nil // it reads its own value
	}
	w.idx.at[path] = skipSpace(w.data, w.dec.InputOffset())
	tok, err := w.dec.Token()
	if err != nil {
		return err
	}
	switch tok {
	case json.Delim('{'):
		for w.dec.More() {
			keyAt := skipSpace(w.data, w.dec.InputOffset())
			k, err := w.dec.Token()
			if err != nil {
				return err
			}
			key, _ := k.(string)
			sub := strings.TrimPrefix(path+"."+key, ".")
			ft, known := fieldType(t, key)
			if !known && w.idx.unknownPath == "" {
				w.idx.unknownPath, w.idx.unknownAt, w.idx.unknownKnown = sub, keyAt, fieldNames(t)
			}
			if err := w.value(sub, ft); err != nil {
				return err
			}
		}
	case json.Delim('['):
		var elem reflect.Type
		if t != nil && (t.Kind() == reflect.Slice || t.Kind() == reflect.Array) {
			elem = t.Elem()
		}
		for i := 0; w.dec.More(); i++ {
			if err := w.value(strings.TrimPrefix(path+"."+strconv.Itoa(i), "."), elem); err != nil {
				return err
			}
		}
	default:
		return nil
	}
	_, err = w.dec.Token() // the closing } or ]
	return err
}

// fieldType returns the type of t's field that encoding/json matches to
// key, and whether there is one. Anything goes where t is not a struct.
func fieldType(t reflect.Type, key string) (reflect.Type, bool) {
	if t == nil || t.Kind() != reflect.Struct {
		if t != nil && t.Kind() == reflect.Map {
			return t.Elem(), true
		}
		return nil, true
	}
	var exact, folded reflect.Type
	for name, ft := range jsonFields(t) {
		if name == key {
			exact = ft
		} else if folded == nil && strings.EqualFold(name, key) {
			folded = ft
		}
	}
	if exact != nil {
		return exact, true
	}
	return folded, folded != nil
}

// fieldNames lists t's JSON field names, for an unknown-field message.
func fieldNames(t reflect.Type) []string {
	var names []string
	for name := range jsonFields(t) {
		names = append(names, name)
	}
	slices.Sort(names)
	return names
}

// jsonFields yields the JSON names of struct t's fields and their types,
// in order, promoting the fields of embedded structs as encoding/json does;
// a field at a shallower depth hides one of the same name below it.
func jsonFields(t reflect.Type) iter.Seq2[string, reflect.Type] {
	return func(yield func(string, reflect.Type) bool) {
		seen := make(map[string]bool)
		for level := []reflect.Type{t}; len(level) > 0; {
			var next []reflect.Type
			for _, st := range level {
				for f := range st.Fields() {
					tag := f.Tag.Get("json")
					if tag == "-" {
						continue
					}
					name, _, _ := strings.Cut(tag, ",")
					ft := f.Type
					if f.Anonymous && name == "" && ft.Kind() == reflect.Struct {
						next = append(next, ft)
						continue
					}
					if !f.IsExported() {
						continue
					}
					if name == "" {
						name = f.Name
					}
					if !seen[name] {
						seen[name] = true
						if !yield(name, ft) {
							return
						}
					}
				}
			}
			level = next
		}
	}
}
