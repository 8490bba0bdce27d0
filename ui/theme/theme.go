// Package theme is livecart's palette: a few semantic colours built into one
// Styles struct, for dark and light terminals alike. Every colour the UI
// draws comes from here.
package theme

import (
	"hash/fnv"
	"image/color"

	"charm.land/bubbles/v2/help"
	"charm.land/lipgloss/v2"
)

// Styles holds every style the UI uses.
type Styles struct {
	IsDark bool

	App      lipgloss.Style
	Title    lipgloss.Style
	Live     lipgloss.Style // the LIVE badge
	Subtle   lipgloss.Style
	Accent   lipgloss.Style
	Price    lipgloss.Style
	Deal     lipgloss.Style
	Error    lipgloss.Style
	Good     lipgloss.Style
	Warn     lipgloss.Style
	HostTag  lipgloss.Style
	HostText lipgloss.Style // what the host says in chat
	Mention  lipgloss.Style // chat lines that @mention the viewer
	Strike   lipgloss.Style // a regular price crossed out by a deal
	Gift     lipgloss.Style // a paid gift: its chat line and its animation
	Card     lipgloss.Style // bordered panel around the pinned product
	Panel    lipgloss.Style // bordered panel around the cart
	Focused  lipgloss.Style // border colour of the focused panel
	Selected lipgloss.Style // the selected cart line
	Toast    lipgloss.Style
	Input    lipgloss.Style
	Help     help.Styles // the key help: keys, descriptions and separators, all readable as text

	names []color.Color
}

// New builds the styles for a dark or light background.
func New(isDark bool) *Styles {
	ld := lipgloss.LightDark(isDark)
	var (
		fg     = ld(lipgloss.Color("#1F1F24"), lipgloss.Color("#E8E6F0"))
		subtle = ld(lipgloss.Color("#6B6B78"), lipgloss.Color("#8A8799"))
		keys   = ld(lipgloss.Color("#4A4A57"), lipgloss.Color("#C5C2D6")) // a key in help, stronger than its description
		accent = ld(lipgloss.Color("#5A3FD6"), lipgloss.Color("#A48CFF"))
		live   = lipgloss.Color("#E5334B")
		price  = ld(lipgloss.Color("#0B7A4B"), lipgloss.Color("#4CD68F"))
		deal   = ld(lipgloss.Color("#C2410C"), lipgloss.Color("#FFA24C"))
		errc   = ld(lipgloss.Color("#B4232F"), lipgloss.Color("#FF6B7A"))
		warn   = ld(lipgloss.Color("#9A6700"), lipgloss.Color("#F2C94C"))
		border = ld(lipgloss.Color("#C9C6D6"), lipgloss.Color("#45415A"))
		sel    = ld(lipgloss.Color("#E9E4FF"), lipgloss.Color("#2E2650"))
		gift   = ld(lipgloss.Color("#B0306A"), lipgloss.Color("#FF7AB6"))
	)
	s := &Styles{IsDark: isDark}
	s.App = lipgloss.NewStyle().Foreground(fg)
	s.Title = lipgloss.NewStyle().Bold(true).Foreground(fg)
	s.Live = lipgloss.NewStyle().Bold(true).Foreground(lipgloss.Color("#FFFFFF")).Background(live).Padding(0, 1)
	s.Subtle = lipgloss.NewStyle().Foreground(subtle)
	s.Accent = lipgloss.NewStyle().Foreground(accent)
	s.Price = lipgloss.NewStyle().Bold(true).Foreground(price)
	s.Deal = lipgloss.NewStyle().Bold(true).Foreground(deal)
	s.Error = lipgloss.NewStyle().Foreground(errc)
	s.Good = lipgloss.NewStyle().Foreground(price)
	s.Warn = lipgloss.NewStyle().Bold(true).Foreground(warn)
	s.HostTag = lipgloss.NewStyle().Bold(true).Foreground(lipgloss.Color("#FFFFFF")).Background(accent).Padding(0, 1)
	s.HostText = lipgloss.NewStyle().Bold(true).Foreground(accent)
	s.Mention = lipgloss.NewStyle().Bold(true).Foreground(warn)
	s.Strike = lipgloss.NewStyle().Strikethrough(true).Foreground(subtle)
	s.Gift = lipgloss.NewStyle().Bold(true).Foreground(gift)
	s.Card = lipgloss.NewStyle().Border(lipgloss.RoundedBorder()).BorderForeground(border).Padding(0, 1)
	s.Panel = s.Card
	s.Focused = lipgloss.NewStyle().Border(lipgloss.RoundedBorder()).BorderForeground(accent).Padding(0, 1)
	s.Selected = lipgloss.NewStyle().Background(sel).Bold(true)
	s.Toast = lipgloss.NewStyle().Foreground(accent)
	s.Input = lipgloss.NewStyle().Foreground(fg)
	// Help is text to read, not decoration: every part of it keeps WCAG
	// AA contrast (4.5:1) on a black or dark grey terminal and on a white
	// one, which the bubbles defaults do not.
	keyStyle, descStyle := lipgloss.NewStyle().Foreground(keys), lipgloss.NewStyle().Foreground(subtle)
	s.Help = help.Styles{
		Ellipsis:       descStyle,
		ShortKey:       keyStyle,
		ShortDesc:      descStyle,
		ShortSeparator: descStyle,
		FullKey:        keyStyle,
		FullDesc:       descStyle,
		FullSeparator:  descStyle,
	}
	s.names = []color.Color{
		ld(lipgloss.Color("#C0392B"), lipgloss.Color("#FF8A80")),
		ld(lipgloss.Color("#1E7B34"), lipgloss.Color("#7BE495")),
		ld(lipgloss.Color("#1F5FBF"), lipgloss.Color("#82B1FF")),
		ld(lipgloss.Color("#A0522D"), lipgloss.Color("#FFB26B")),
		ld(lipgloss.Color("#8E24AA"), lipgloss.Color("#E1A6FF")),
		ld(lipgloss.Color("#00796B"), lipgloss.Color("#64E0D0")),
		ld(lipgloss.Color("#AD1457"), lipgloss.Color("#FF8FC7")),
		ld(lipgloss.Color("#5D6B00"), lipgloss.Color("#D4E157")),
	}
	return s
}

// Name returns the style for an author's name. The colour is chosen from the
// author's ID, so a name keeps its colour for the whole show.
func (s *Styles) Name(id string) lipgloss.Style {
	h := fnv.New32a()
	h.Write([]byte(id))
	return lipgloss.NewStyle().Bold(true).Foreground(s.names[h.Sum32()%uint32(len(s.names))])
}

// FollowsTerminal reports whether the theme setting ("auto", "dark",
// "light"; empty is auto) follows the terminal's background, so the
// styles are rebuilt when the terminal reports it.
func FollowsTerminal(setting string) bool { return setting != "dark" && setting != "light" }

// StartsDark reports whether to draw dark-background styles before the
// terminal has said what its background is: dark unless the user chose
// light, as most terminals are dark.
func StartsDark(setting string) bool { return setting != "light" }
