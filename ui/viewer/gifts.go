package viewer

import (
	"net/url"
	"path"
	"strings"

	tea "charm.land/bubbletea/v2"
	"charm.land/lipgloss/v2"

	"github.com/livecart/livecart/protocol"
	"github.com/livecart/livecart/ui/chat"
	"github.com/livecart/livecart/ui/live"
)

// Gifts: g opens a picker of the show's gifts in the input's row; enter
// asks the show for one, and the link it answers with is handed over as a
// checkout link is (opened, or shown to copy or scan). A paid gift reaches
// everyone as a chat line and a short animation (giftanim.go).

func giftSymbol(kind string) string { return chat.GiftSymbol(kind) }

// giftUI is the picker's choice and the gift asked for.
type giftUI struct {
	sel    int    // the kind chosen in the picker, an index into Show.Gifts
	asking string // the kind asked for, until its link or a refusal comes
}

// giftTitle is a kind's name, as the show calls it.
func (m Model) giftTitle(kind string) string {
	if k, ok := m.Show.GiftKind(kind); ok {
		return k.Name
	}
	return kind
}

// giftName names a kind of gift with its article: "a Rose", "an Owl".
func (m Model) giftName(kind string) string { return chat.WithArticle(m.giftTitle(kind)) }

// openGifts opens the picker.
func (m Model) openGifts() (Model, tea.Cmd) {
	if len(m.Show.Gifts) == 0 {
		return m.notify(live.StatusInfo, "This show has no gifts")
	}
	m.mode = modeGift
	m.gifts.sel = min(m.gifts.sel, len(m.Show.Gifts)-1)
	m.layout()
	return m, nil
}

func (m Model) handleGiftKey(msg tea.KeyPressMsg, k KeyMap) (Model, tea.Cmd) {
	n := len(m.Show.Gifts)
	switch {
	case n == 0, matches(msg, k.Leave):
		m.mode = modeShow
		m.layout()
		return m, nil
	case matches(msg, k.Send):
		return m.askGift()
	case matches(msg, k.PickPrev):
		m.gifts.sel = (m.gifts.sel - 1 + n) % n
	case matches(msg, k.PickNext):
		m.gifts.sel = (m.gifts.sel + 1) % n
	case matches(msg, k.PickNum):
		m.gifts.sel = int(msg.Code - '1')
	}
	return m, nil
}

// askGift asks the show for the gift chosen; the show answers with the
// link to pay at (giftLink).
func (m Model) askGift() (Model, tea.Cmd) {
	k := m.Show.Gifts[min(m.gifts.sel, len(m.Show.Gifts)-1)]
	m.mode = modeShow
	m.layout()
	switch {
	case m.gifts.asking != "":
		return m.notify(live.StatusInfo, "Wait for the link to pay for "+m.giftName(m.gifts.asking))
	case m.Link.State != live.Up:
		return m.notify(live.StatusError, "Offline · no gift was asked for")
	}
	m.gifts.asking = k.ID
	toast := m.Notify(live.StatusInfo, "Asking the show for "+m.giftName(k.ID)+" ("+k.Amount.String()+")…")
	return m, tea.Batch(toast, send(m.Session(), whatGift, protocol.TypeGift, protocol.SendGift{Kind: k.ID}))
}

// giftLink hands over the link to pay for the gift asked for: opened in
// the browser, or, without one, shown to open, copy or scan.
func (m *Model) giftLink(l protocol.GiftLink) tea.Cmd {
	m.gifts.asking = ""
	pay := "Pay " + l.Amount.String() + " for " + m.giftName(l.Kind)
	n := live.Notice{Key: noticeGift, Kind: live.StatusInfo, Link: l.Checkout,
		Text: pay + ": open, copy (y) or scan (o) this link · it shows in the chat once paid"}
	if !m.opts.OpenBrowser {
		m.Stick(n)
		m.layout()
		return nil
	}
	n.Text = "No browser could be opened · " + pay + ": copy (y) or scan (o) this link · it shows in the chat once paid"
	toast := m.Notify(live.StatusInfo, "Opening the payment for "+m.giftName(l.Kind)+" in your browser…")
	return tea.Batch(toast, openLink(m.opts.Opener, n, "Payment for "+m.giftName(l.Kind)+" opened in your browser · it shows in the chat once paid"))
}

// giftRefused answers an error as the reply to the gift asked for: a cap
// reached, or anything else the show said.
func (m *Model) giftRefused(e protocol.Error) tea.Cmd {
	what := m.giftTitle(m.gifts.asking)
	m.gifts.asking = ""
	return m.Notify(live.StatusError, "No "+what+" sent: "+serverText(e))
}

// giftReceived puts a paid gift in the chat and, motion allowed, in the
// animation's queue.
func (m *Model) giftReceived(g protocol.Gift) tea.Cmd {
	sym := giftSymbol(g.Kind)
	m.chat.AddStyled(chat.GiftLine(g, m.giftTitle(g.Kind)))
	var thanks tea.Cmd
	if n, ok := m.Notice(noticeGift); ok && g.From.ID == m.Show.You.ID && paysFor(n.Link, g.ID) {
		// Paid: the link has done its job.
		m.Unstick(noticeGift)
		m.layout()
		thanks = m.Notify(live.StatusInfo, "Thank you! Your "+m.giftTitle(g.Kind)+" is on screen")
	}
	return tea.Batch(thanks, m.animate(sym))
}

// paysFor reports whether link is the page that pays for gift id: the
// show's own /gift/ID.
func paysFor(link, id string) bool {
	u, err := url.Parse(link)
	return err == nil && path.Base(u.Path) == id
}

// pickerView is the gift picker, in the input's row: each gift with its
// symbol and price, the chosen one marked, scrolled to keep it in view.
func (m Model) pickerView() string {
	s, w := m.Styles, max(1, m.Width)
	items := make([]string, len(m.Show.Gifts))
	for i, k := range m.Show.Gifts {
		// The chosen one is marked as a chosen variant is, so that it
		// reads without colour too.
		item := giftSymbol(k.ID) + " " + k.Name + " " + k.Amount.String()
		if i == m.gifts.sel {
			items[i] = s.Gift.Render(chosenLeft+item+chosenRight) + " "
		} else {
			items[i] = "  " + item + "   "
		}
	}
	lead := s.Subtle.Render("gift › ")
	if lipgloss.Width(lead) >= w/3 {
		lead = ""
	}
	room := w - lipgloss.Width(lead)
	// From the chosen one, as many neighbours as fit, after it first.
	from, to := m.gifts.sel, m.gifts.sel+1
	used := lipgloss.Width(items[m.gifts.sel])
	for grew := true; grew; {
		grew = false
		if to < len(items) && used+lipgloss.Width(items[to]) <= room {
			used += lipgloss.Width(items[to])
			to, grew = to+1, true
		}
		if from > 0 && used+lipgloss.Width(items[from-1]) <= room {
			used += lipgloss.Width(items[from-1])
			from, grew = from-1, true
		}
	}
	return fit(lead+strings.Join(items[from:to], ""), w)
}
