package viewer

import (
	"strconv"

	"github.com/livecart/livecart/money"
	"github.com/livecart/livecart/protocol"
)

// maxRail is how many earlier products the rail offers (keys 1-9).
const maxRail = 9

// railSlots are the rail's number keys: slot i is key i+1. A product gets
// a number when it first leaves the card, in the order products were
// pinned, and keeps it for the rest of the session, while it is pinned
// again too, so a key never changes meaning under the viewer's finger.
// Only when all nine are taken does a product leaving the card take the
// number of the one that left it longest ago, which drops off the rail.
type railSlots [maxRail]railSlot

// railSlot is one number key and the product behind it.
type railSlot struct {
	pin  protocol.Pin // the product, and the variant the viewer had chosen
	left uint64       // when it last left the card, counted in pins
}

// enter puts a product that has just left the card on the rail: into its
// own slot, else a free one, else the one whose product left the card
// longest ago, never current's (the product pinned now).
func (r *railSlots) enter(pin protocol.Pin, at uint64, current string) {
	free, oldest := -1, -1
	for i, s := range r {
		switch {
		case s.pin.ProductID == pin.ProductID:
			r[i] = railSlot{pin: pin, left: at}
			return
		case s.pin.ProductID == "":
			if free < 0 {
				free = i
			}
		case s.pin.ProductID != current && (oldest < 0 || s.left < r[oldest].left):
			oldest = i
		}
	}
	if free < 0 {
		free = oldest
	}
	if free >= 0 {
		r[free] = railSlot{pin: pin, left: at}
	}
}

// railItem is a product pinned earlier in the show, with its number key.
type railItem struct {
	key   int
	pin   protocol.Pin
	name  string
	price money.Money
}

// rail lists the earlier products still in the catalog, not counting the
// one pinned now, by number.
func (m Model) rail() []railItem {
	current, _, _ := m.Show.Pinned()
	var items []railItem
	for i, s := range m.slots {
		if s.pin.ProductID == "" || s.pin.ProductID == current.ID {
			continue
		}
		p, ok := m.Show.Product(s.pin.ProductID)
		if !ok {
			continue
		}
		items = append(items, railItem{key: i + 1, pin: s.pin, name: p.Name, price: p.PriceAt(m.ServerNow())})
	}
	return items
}

// pinState is what was pinned, and the variant chosen, before an update.
type pinState struct {
	pin    protocol.Pin
	chosen string
}

func (m Model) pinState() pinState {
	p, pinned, ok := m.Show.Pinned()
	if !ok {
		return pinState{}
	}
	_, v, _ := m.chosen()
	return pinState{pin: protocol.Pin{ProductID: p.ID, VariantID: pinned.ID}, chosen: v.ID}
}

// followPin follows the pin from was to what is pinned now: a product
// leaving the card goes on the rail, and a new pin chooses its variant
// afresh, which then stays chosen while it exists.
func (m *Model) followPin(was pinState) {
	p, v, ok := m.Show.Pinned()
	var now protocol.Pin
	if ok {
		now = protocol.Pin{ProductID: p.ID, VariantID: v.ID}
	}
	if now == was.pin {
		if _, has := p.Variant(m.pick.variant); ok && !has {
			m.pick.variant = firstChoice(p, v).ID // the chosen one is gone
		}
		return
	}
	m.pick = choice{}
	if ok {
		m.pick = choice{pin: now, variant: firstChoice(p, v).ID}
	}
	if was.pin.ProductID == "" || was.pin.ProductID == now.ProductID {
		return
	}
	m.pins++
	m.slots.enter(protocol.Pin{ProductID: was.pin.ProductID, VariantID: was.chosen}, m.pins, now.ProductID)
}

// noEarlier says why number n adds nothing.
func (m Model) noEarlier(n int) string {
	if n >= 1 && n <= maxRail {
		if p, _, ok := m.Show.Pinned(); ok && m.slots[n-1].pin.ProductID == p.ID {
			return p.Name + " is pinned now · " + m.keys.Add.Help().Key + " adds it"
		}
	}
	return "No earlier product " + strconv.Itoa(n)
}
