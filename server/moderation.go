package server

import (
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode"

	"github.com/livecart/livecart/protocol"
	"github.com/livecart/livecart/sanitize"
)

// maxSlowModeEntries is how many viewers' last-line times slow mode keeps
// before it forgets those whose wait is over: a bound on what a long show
// with a large audience can pile up.
const maxSlowModeEntries = 4096

// banReason is the close reason a banned viewer's connections get, with
// protocol.ClosePolicy: the protocol has no close code of its own for a ban.
const banReason = "banned"

// errMessageBlocked refuses a chat line with a blocked word. It is one
// shared value so that refuse can tell it from a malformed command: a
// viewer who trips the word list is not a broken client and is not closed
// for it.
var errMessageBlocked = newError(protocol.ErrCodeBadRequest, "message blocked")

// moderation is the host's say over the chat. Host lines are exempt from
// all of it. Guarded by the show's lock (see Server).
type moderation struct {
	timeouts map[string]time.Time // identity ID -> muted until, server time
	banned   map[string]bool      // identity IDs out of the show for the server's lifetime
	slowMode time.Duration        // 0: off
	lastLine map[string]time.Time // identity ID -> their last line, while slow mode is on
	words    []string             // blocked words as the host's metrics show them
	blocked  [][]string           // the same, each as its lower-case words
}

func newModeration() moderation {
	return moderation{
		timeouts: make(map[string]time.Time),
		banned:   make(map[string]bool),
		lastLine: make(map[string]time.Time),
	}
}

// checkLineLocked decides whether author may say text (already sanitized)
// now. Nothing it refuses is ever published.
func (s *Server) checkLineLocked(author protocol.Identity, text string, now time.Time) *protocol.Error {
	if author.Role == protocol.RoleHost {
		return nil
	}
	if until, ok := s.mod.timeouts[author.ID]; ok {
		if now.Before(until) {
			return newError(protocol.ErrCodeForbidden, "you are timed out for "+formatWait(until.Sub(now)))
		}
		delete(s.mod.timeouts, author.ID)
	}
	if s.mod.blocks(text) {
		return errMessageBlocked
	}
	if s.mod.slowMode > 0 {
		if wait := s.mod.lastLine[author.ID].Add(s.mod.slowMode).Sub(now); wait > 0 {
			return newError(protocol.ErrCodeRateLimited, "slow mode: wait "+formatWait(wait))
		}
	}
	return nil
}

// saidLocked notes that author's line went out, for slow mode.
func (s *Server) saidLocked(author protocol.Identity, now time.Time) {
	if s.mod.slowMode == 0 || author.Role == protocol.RoleHost {
		return
	}
	if len(s.mod.lastLine) >= maxSlowModeEntries {
		for id, at := range s.mod.lastLine {
			if now.Sub(at) >= s.mod.slowMode {
				delete(s.mod.lastLine, id)
			}
		}
	}
	s.mod.lastLine[author.ID] = now
}

// blocks reports whether text holds a blocked word, or a blocked phrase,
// as whole words.
func (m *moderation) blocks(text string) bool {
	if len(m.blocked) == 0 {
		return false
	}
	ws := words(text)
	for _, b := range m.blocked {
		for i := 0; i+len(b) <= len(ws); i++ {
			if slices.Equal(ws[i:i+len(b)], b) {
				return true
			}
		}
	}
	return false
}

// words splits text into lower-case words: runs of letters, digits and
// combining marks. Punctuation and spaces separate them, so "scam!" and
// "SCAM" are the word "scam" and "scampi" is not.
func words(text string) []string {
	return strings.FieldsFunc(strings.ToLower(text), func(r rune) bool {
		return !unicode.IsLetter(r) && !unicode.IsDigit(r) && !unicode.Is(unicode.M, r)
	})
}

// setBlockedWords replaces the list. Words are sanitized as chat is; one
// with no letters or digits left could never match a whole word and is
// dropped, as are repeats.
func (m *moderation) setBlockedWords(list []string) {
	m.words, m.blocked = nil, nil
	seen := make(map[string]bool, len(list))
	for _, w := range list {
		clean := sanitize.Line(w)
		ws := words(clean)
		key := strings.Join(ws, " ")
		if len(ws) == 0 || seen[key] {
			continue
		}
		seen[key] = true
		m.words = append(m.words, clean)
		m.blocked = append(m.blocked, ws)
	}
}

func (s *Server) blockedWordsLocked(b protocol.BlockedWords) *protocol.Error {
	s.mod.setBlockedWords(b.Words)
	return nil
}

// slowModeLocked sets slow mode and tells everyone: clients show it and
// hold their own lines back rather than have them refused.
func (s *Server) slowModeLocked(m protocol.SlowMode) *protocol.Error {
	s.mod.slowMode = time.Duration(m.Seconds) * time.Second
	clear(s.mod.lastLine)
	s.hub.publishLocked(protocol.TypeSettings, s.settingsLocked())
	return nil
}

func (s *Server) settingsLocked() protocol.Settings {
	return protocol.Settings{SlowModeSeconds: int(s.mod.slowMode / time.Second)}
}

// timeoutLocked mutes a viewer, by identity ID, whether or not they are
// connected now: one who reconnects with the same client ID is still muted.
func (s *Server) timeoutLocked(t protocol.Timeout) *protocol.Error {
	now := s.now()
	d := time.Duration(t.Seconds) * time.Second
	until := now.Add(d)
	for id, u := range s.mod.timeouts {
		if !now.Before(u) {
			delete(s.mod.timeouts, id)
		}
	}
	s.mod.timeouts[t.UserID] = until
	s.noticeLocked(t.UserID, protocol.Notice{
		Kind:    protocol.NoticeTimeout,
		Until:   until,
		Message: "The host has muted you for " + formatWait(d) + ".",
	}, false)
	return nil
}

// banLocked removes a viewer, by identity ID, for the rest of the server's
// life: their connections get a notice and are closed, and a hello with
// the same client ID is refused.
func (s *Server) banLocked(b protocol.Ban) *protocol.Error {
	s.mod.banned[b.UserID] = true
	delete(s.mod.timeouts, b.UserID)
	s.noticeLocked(b.UserID, protocol.Notice{
		Kind:    protocol.NoticeBan,
		Message: "The host has removed you from the show.",
	}, true)
	return nil
}

// noticeLocked sends n to every joined viewer connection of identity id,
// and with ban also closes them, after the notice and whatever was queued
// before it.
func (s *Server) noticeLocked(id string, n protocol.Notice, ban bool) {
	frame, err := protocol.Encode(protocol.TypeNotice, 0, s.now(), n)
	if err != nil {
		s.hub.later(func() { s.log.Error("notice not sent", "id", id, "err", err) })
		return
	}
	for c := range s.hub.joinedLocked() {
		if c.id.ID != id || c.id.Role != protocol.RoleViewer {
			continue
		}
		s.hub.offerLocked(c, frame)
		if ban && !c.ended {
			c.flush = true
			s.hub.endLocked(c, protocol.CloseBanned, banReason)
			s.hub.later(func() { s.log.Info("banned", "id", id, "remote", c.remote) })
		}
	}
}

// deleteChatLocked takes a line out of the recent chat, so nobody who joins
// later sees it, and tells everyone watching to drop it. A line too old for
// the recent chat may still be on someone's screen, so any line this
// server has sent can be deleted.
func (s *Server) deleteChatLocked(d protocol.DeleteChat) *protocol.Error {
	if !s.chat.remove(d.ID) && !s.sentChatLocked(d.ID) {
		return newError(protocol.ErrCodeNotFound, fmt.Sprintf("no chat line %q in this show", d.ID))
	}
	s.hub.publishLocked(protocol.TypeChatDeleted, protocol.ChatDeleted{IDs: []string{d.ID}})
	return nil
}

// sentChatLocked reports whether id names a line this server has sent.
func (s *Server) sentChatLocked(id string) bool {
	n, ok := strings.CutPrefix(id, s.run+"-c")
	if !ok {
		return false
	}
	k, err := strconv.ParseUint(n, 10, 64)
	return err == nil && k >= 1 && k <= s.chatIDs && strconv.FormatUint(k, 10) == n
}

// formatWait says how long d is, rounded up to the second: "45s",
// "4m 10s", "1h 5m".
func formatWait(d time.Duration) string {
	secs := int64((d + time.Second - 1) / time.Second)
	h, m, sec := secs/3600, secs/60%60, secs%60
	var parts []string
	if h > 0 {
		parts = append(parts, strconv.FormatInt(h, 10)+"h")
	}
	if m > 0 {
		parts = append(parts, strconv.FormatInt(m, 10)+"m")
	}
	if sec > 0 || len(parts) == 0 {
		parts = append(parts, strconv.FormatInt(sec, 10)+"s")
	}
	return strings.Join(parts, " ")
}
