package chat

import (
	"strings"

	"github.com/livecart/livecart/protocol"
	"github.com/livecart/livecart/ui/theme"
)

// giftSymbols draw the gift kinds this client knows, a cell each: symbols,
// not emoji, whose widths terminals disagree on.
var giftSymbols = map[string]string{"heart": "♥", "rose": "✿", "rocket": "➶"}

// otherGift draws a kind this client does not know.
const otherGift = "✦"

// GiftSymbol is the one-cell symbol both screens draw a gift kind with.
func GiftSymbol(kind string) string {
	if s, ok := giftSymbols[kind]; ok {
		return s
	}
	return otherGift
}

// WithArticle names a thing with its article: "a Rose", "an Owl".
func WithArticle(name string) string {
	if name != "" && strings.ContainsRune("AEIOUaeiou", []rune(name)[0]) {
		return "an " + name
	}
	return "a " + name
}

// GiftLine draws a paid gift's chat line for AddStyled, the same on the
// viewer's screen and the host's: its symbol, who sent it, what and what
// it was worth ("♥ ana sent a Heart · $1.00"). name is the kind's name as
// the show gives it; every part comes sanitized from the show's mirror.
func GiftLine(g protocol.Gift, name string) func(*theme.Styles) string {
	return func(s *theme.Styles) string {
		return s.Gift.Render(GiftSymbol(g.Kind)) + " " + s.Name(g.From.ID).Render(g.From.Name) + " " +
			s.Gift.Render("sent "+WithArticle(name)+" · "+g.Amount.String())
	}
}
