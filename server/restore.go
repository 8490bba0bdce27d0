package server

import (
	"errors"
	"fmt"
	"slices"
	"time"

	"github.com/livecart/livecart/protocol"
)

// Carrying on a show from its journal. A server that restarts over the
// journal of an earlier one (package cluster) keeps its epoch and its
// seqs, and takes its public state back from the events: the products as
// last published (stock, price, deal), the pin, the recent chat, slow
// mode, the running or last auction and giveaway. Orders come back from
// the orders file, as on any restart.

// restoredState is the public state of an auction and a giveaway run by
// the server before this one: welcomes show it until this one runs its
// own.
type restoredState struct {
	auction  *protocol.Auction
	giveaway *protocol.Giveaway
}

// Restore sets the show up to carry on after seq, from events: the latest
// of the show's state events from its journal, and the last events up to
// seq in order, which a resume can replay (each an encoded envelope;
// events may overlap, and are applied in seq order). Call it before the
// server serves anyone. It returns an error when an event is not one
// this show could have sent; nothing is changed then.
func (s *Server) Restore(seq uint64, state, tail [][]byte) error {
	var envs []protocol.Envelope
	for _, f := range append(slices.Clip(state), tail...) {
		env, err := protocol.DecodeFrame(f)
		if err != nil || len(env) != 1 {
			return fmt.Errorf("restore: event is not one envelope: %v", err)
		}
		if env[0].Seq == 0 || env[0].Seq > seq {
			return fmt.Errorf("restore: event %s at seq %d, past %d", env[0].Type, env[0].Seq, seq)
		}
		envs = append(envs, env[0])
	}
	slices.SortStableFunc(envs, func(a, b protocol.Envelope) int { return cmpSeq(a.Seq, b.Seq) })
	envs = slices.CompactFunc(envs, func(a, b protocol.Envelope) bool { return a.Seq == b.Seq })
	for i, f := range tail {
		if want := seq - uint64(len(tail)-1-i); seqOf(f) != want {
			return fmt.Errorf("restore: tail event %d has seq %d, want %d", i, seqOf(f), want)
		}
	}
	var err error
	s.hub.locked(func() {
		if s.hub.seq != 0 || len(s.hub.joined) > 0 {
			err = errors.New("restore: the show has already started")
			return
		}
		for _, env := range envs {
			if e := s.restoreLocked(env); e != nil {
				err = errors.Join(err, e)
			}
		}
		s.hub.seq, s.hub.durable = seq, seq
		for i, f := range tail {
			s.hub.history.add(seq-uint64(len(tail)-1-i), f)
		}
		s.scheduleDealsLocked()
		if err == nil {
			s.endRestoredLocked()
		}
	})
	return err
}

// endRestoredLocked ends an auction or a giveaway that was open when the
// server before this one stopped. Its bids or entries, and its timer, went
// with that server, so it ends with no sale and no draw: the auction as
// withdrawn, the giveaway as void. Its unit, set aside at its start, goes
// back to stock, and everyone is told.
func (s *Server) endRestoredLocked() {
	if a := s.restored.auction; a != nil && a.State == protocol.AuctionOpen {
		a.State = protocol.AuctionCancelled
		s.hub.publishLocked(protocol.TypeAuction, *a)
		s.restockRestoredLocked(a.VariantID)
	}
	if g := s.restored.giveaway; g != nil && g.State == protocol.GiveawayOpen {
		g.State = protocol.GiveawayVoid
		s.hub.publishLocked(protocol.TypeGiveaway, *g)
		s.restockRestoredLocked(g.VariantID)
	}
}

// restockRestoredLocked gives back the unit an auction or giveaway of the
// server before this one set aside, if its variant is still in the show.
func (s *Server) restockRestoredLocked(variantID string) {
	if ref, ok := s.variantAt[variantID]; ok {
		s.restockLocked(ref)
	}
}

func cmpSeq(a, b uint64) int {
	switch {
	case a < b:
		return -1
	case a > b:
		return 1
	}
	return 0
}

// seqOf reads the seq of one encoded envelope; 0 when it has none.
func seqOf(frame []byte) uint64 {
	envs, err := protocol.DecodeFrame(frame)
	if err != nil || len(envs) == 0 {
		return 0
	}
	return envs[0].Seq
}

// restoreLocked applies one event of an earlier run to the show's state.
func (s *Server) restoreLocked(env protocol.Envelope) error {
	switch env.Type {
	case protocol.TypeProduct:
		p, err := protocol.Decode[protocol.Product](env)
		if err != nil {
			return fmt.Errorf("restore product: %w", err)
		}
		i, ok := s.productAt[p.ID]
		if !ok || !sameVariants(s.products[i], p) {
			// The catalog changed since: its own state stands.
			s.log.Warn("restore: product no longer in the catalog as it was", "product", p.ID)
			return nil
		}
		s.products[i] = p
	case protocol.TypePin:
		pin, err := protocol.Decode[protocol.Pin](env)
		if err != nil {
			return fmt.Errorf("restore pin: %w", err)
		}
		s.pinned = &pin
	case protocol.TypeUnpin:
		s.pinned = nil
	case protocol.TypeChat:
		line, err := protocol.Decode[protocol.Chat](env)
		if err != nil {
			return fmt.Errorf("restore chat: %w", err)
		}
		s.chat.add(line)
	case protocol.TypeChatDeleted:
		d, err := protocol.Decode[protocol.ChatDeleted](env)
		if err != nil {
			return fmt.Errorf("restore chat_deleted: %w", err)
		}
		for _, id := range d.IDs {
			s.chat.remove(id)
		}
	case protocol.TypeSettings:
		st, err := protocol.Decode[protocol.Settings](env)
		if err != nil {
			return fmt.Errorf("restore settings: %w", err)
		}
		s.mod.slowMode = time.Duration(st.SlowModeSeconds) * time.Second
	case protocol.TypeAuction:
		a, err := protocol.Decode[protocol.Auction](env)
		if err != nil {
			return fmt.Errorf("restore auction: %w", err)
		}
		s.restored.auction = &a
	case protocol.TypeGiveaway:
		g, err := protocol.Decode[protocol.Giveaway](env)
		if err != nil {
			return fmt.Errorf("restore giveaway: %w", err)
		}
		s.restored.giveaway = &g
	}
	return nil
}

// sameVariants reports whether p has the variants of the catalog's
// product, in the same order: the server's indexes hold for it.
func sameVariants(have, p protocol.Product) bool {
	return slices.EqualFunc(have.Variants, p.Variants, func(a, b protocol.Variant) bool { return a.ID == b.ID })
}

// journalFailed returns what the hub tells when the journal refuses a
// batch: the server closes as for a restart, and then tells then.
func (s *Server) journalFailed(then func(error)) func(error) {
	return func(err error) {
		if errors.Is(err, ErrFenced) {
			s.log.Error("fenced out: another server now writes this show's events; this one stops", "err", err)
		} else {
			s.log.Error("the show's journal refused its events; the server stops", "err", err)
		}
		s.closeSockets(false)
		if then != nil {
			then(err)
		}
	}
}
