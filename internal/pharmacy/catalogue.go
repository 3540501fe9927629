package pharmacy

import (
	"bytes"
	_ "embed"
	"errors"
	"fmt"
	"io"
	"slices"

	"github.com/etuus/etuus/internal/jsonfile"
)

// Category is a special reimbursement category: the class a medicine
// listed for it gets for a person with the right.
type Category struct {
	Key   string `json:"key"`
	Class Class  `json:"class"`
	FI    string `json:"fi"`
	SV    string `json:"sv"`
	EN    string `json:"en"`
}

// Name is the category's name in a language (fi, sv, en; else Finnish).
func (c Category) Name(lang string) string {
	switch lang {
	case "sv":
		return c.SV
	case "en":
		return c.EN
	}
	return c.FI
}

// Medicine is a medicine package of the catalogue, known by its Nordic
// article number (VNR).
type Medicine struct {
	VNR   string `json:"vnr"`
	Name  string `json:"name"`
	Basic bool   `json:"basic"` // in the basic reimbursement system
	// Special lists the special categories whose right makes the
	// medicine reimbursed in that category's class.
	Special []string `json:"special"`
}

// Catalogue is the medicines and the special categories.
type Catalogue struct {
	Note       string     `json:"note"`
	Categories []Category `json:"categories"`
	Medicines  []Medicine `json:"medicines"`
	byVNR      map[string]int
}

// ErrCatalogue is wrapped by every error of a broken catalogue.
var ErrCatalogue = errors.New("pharmacy: medicine catalogue")

//go:embed medicines.json
var defaultCatalogue []byte

// DefaultCatalogue is the shipped demo catalogue; it panics if
// medicines.json is broken, which the tests rule out.
func DefaultCatalogue() *Catalogue {
	c, err := LoadCatalogue(bytes.NewReader(defaultCatalogue))
	if err != nil {
		panic(err)
	}
	return c
}

// LoadCatalogue reads and checks a catalogue: each VNR six digits and listed
// once, each category key once with a
// special class, each medicine's categories known.
func LoadCatalogue(r io.Reader) (*Catalogue, error) {
	var c Catalogue
	if err := jsonfile.Decode(r, &c); err != nil {
		return nil, fmt.Errorf("%w: %w", ErrCatalogue, err)
	}
	var errs []error
	bad := func(format string, args ...any) {
		errs = append(errs, fmt.Errorf("%w: "+format, append([]any{ErrCatalogue}, args...)...))
	}
	keys := map[string]bool{}
	for _, k := range c.Categories {
		if keys[k.Key] || k.Key == "" || k.Key == RightBasic {
			bad("category %q empty, reserved or repeated", k.Key)
		}
		keys[k.Key] = true
		if k.Class != ClassLower && k.Class != ClassHigher {
			bad("category %q: class %q is not a special class", k.Key, k.Class)
		}
		if k.FI == "" || k.SV == "" || k.EN == "" {
			bad("category %q: a name is missing", k.Key)
		}
	}
	c.byVNR = map[string]int{}
	for i, m := range c.Medicines {
		if !ValidVNR(m.VNR) {
			bad("medicine %q: not a six-digit VNR", m.VNR)
		}
		if _, dup := c.byVNR[m.VNR]; dup {
			bad("medicine %q listed twice", m.VNR)
		}
		c.byVNR[m.VNR] = i
		for _, k := range m.Special {
			if !keys[k] {
				bad("medicine %q: unknown category %q", m.VNR, k)
			}
		}
	}
	if err := errors.Join(errs...); err != nil {
		return nil, err
	}
	return &c, nil
}

// Medicine finds a medicine by VNR.
func (c *Catalogue) Medicine(vnr string) (Medicine, bool) {
	i, ok := c.byVNR[vnr]
	if !ok {
		return Medicine{}, false
	}
	return c.Medicines[i], true
}

// Category finds a special category by key.
func (c *Catalogue) Category(key string) (Category, bool) {
	i := slices.IndexFunc(c.Categories, func(k Category) bool { return k.Key == key })
	if i < 0 {
		return Category{}, false
	}
	return c.Categories[i], true
}

// ValidVNR reports whether s has the form of a Nordic article number
// (VNR): six digits. Whether a number is a medicine is the catalogue's to
// say.
func ValidVNR(s string) bool {
	if len(s) != 6 {
		return false
	}
	for i := 0; i < 6; i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return true
}
