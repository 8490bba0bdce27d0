package viewer

import (
	"github.com/livecart/livecart/protocol"
)

// choice is the variant of the pinned product that a adds, and the pin it
// was chosen under. A new pin chooses for the viewer (see followPin); ←/→
// choose another.
type choice struct {
	pin     protocol.Pin
	variant string
}

// chosen returns the pinned product and the variant a adds: the one
// chosen under this pin while it exists, else the pinned variant when it
// is in stock, else the first in stock. ok is false when nothing is
// pinned.
func (m Model) chosen() (protocol.Product, protocol.Variant, bool) {
	p, pinned, ok := m.Show.Pinned()
	if !ok {
		return p, pinned, false
	}
	if m.pick.pin == (protocol.Pin{ProductID: p.ID, VariantID: pinned.ID}) {
		if v, ok := p.Variant(m.pick.variant); ok {
			return p, v, true
		}
	}
	return p, firstChoice(p, pinned), true
}

// firstChoice is the variant to offer first: v when it is in stock, else
// the first that is, else v (everything is sold out).
func firstChoice(p protocol.Product, v protocol.Variant) protocol.Variant {
	if v.Stock > 0 {
		return v
	}
	for _, alt := range p.Variants {
		if alt.Stock > 0 {
			return alt
		}
	}
	return v
}

// stepVariant returns the next variant in stock after the one with ID
// from, in catalog order (dir +1) or backwards (dir -1), going round at
// the ends; sold-out variants are skipped. ok is false when no other
// variant is in stock.
func stepVariant(p protocol.Product, from string, dir int) (protocol.Variant, bool) {
	n := len(p.Variants)
	at := 0
	for i, v := range p.Variants {
		if v.ID == from {
			at = i
		}
	}
	for k := 1; k < n; k++ {
		v := p.Variants[((at+dir*k)%n+n)%n]
		if v.Stock > 0 && v.ID != from {
			return v, true
		}
	}
	return protocol.Variant{}, false
}

// canPick reports whether ←/→ would choose another variant now.
func (m Model) canPick() bool {
	p, v, ok := m.chosen()
	if !ok {
		return false
	}
	_, ok = stepVariant(p, v.ID, +1)
	return ok
}

// whyNoPick says why ←/→ cannot choose another variant now; "" when they
// can.
func (m Model) whyNoPick() string {
	p, v, ok := m.chosen()
	switch {
	case !ok:
		return "Nothing is pinned right now"
	case len(p.Variants) == 1:
		return p.Name + " comes in one variant only"
	}
	if _, ok := stepVariant(p, v.ID, +1); !ok {
		if v.Stock > 0 {
			return "No other " + p.Name + " in stock"
		}
		return p.Name + " is sold out"
	}
	return ""
}

// whyNoAdd says why a cannot add the chosen variant now; "" when it can.
func (m Model) whyNoAdd() string {
	p, v, ok := m.chosen()
	switch {
	case !ok:
		return "Nothing is pinned right now"
	case p.Stock() == 0:
		return p.Name + " is sold out"
	case v.Stock == 0:
		return p.Name + " (" + v.Name + ") is sold out · " + m.keys.pickKeys() + " picks another"
	case !m.cartLoaded:
		return "Your cart is still loading"
	}
	return ""
}
