package cluster

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"strconv"
	"time"

	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"

	"github.com/livecart/livecart/protocol"
	"github.com/livecart/livecart/server"
)

// streamConfig is the show's stream: every event, kept on disk, one
// subject per piece of restorable state. Limits keep it bounded by size
// and age, not by count, so the latest event of a product that has not
// changed for hours is still there when an owner restarts.
func streamConfig(n names, epoch string, key []byte) jetstream.StreamConfig {
	return jetstream.StreamConfig{
		Name:        n.stream,
		Description: "livecart show events",
		Subjects:    []string{n.events()},
		Storage:     jetstream.FileStorage,
		Retention:   jetstream.LimitsPolicy,
		Discard:     jetstream.DiscardOld,
		MaxBytes:    1 << 30,
		MaxAge:      7 * 24 * time.Hour,
		Duplicates:  2 * time.Minute,
		AllowDirect: true,
		Replicas:    1,
		Metadata:    map[string]string{metaEpoch: epoch, metaIdentityKey: hex.EncodeToString(key)},
	}
}

// showStream is what an owner or an edge reads from the stream.
type showStream struct {
	stream jetstream.Stream
	epoch  string
	key    []byte
}

// ensureStream opens the show's stream, making it (with a new epoch and
// identity key) when there is none. The first JetStream call may come
// before JetStream has a leader; it is retried until ctx ends.
func ensureStream(ctx context.Context, js jetstream.JetStream, n names, create bool) (*showStream, error) {
	for {
		s, err := openStream(ctx, js, n, create)
		if err == nil || ctx.Err() != nil {
			if err != nil {
				err = fmt.Errorf("open stream %s: %w", n.stream, err)
			}
			return s, err
		}
		select {
		case <-ctx.Done():
			return nil, fmt.Errorf("open stream %s: %w", n.stream, err)
		case <-time.After(200 * time.Millisecond):
		}
	}
}

func openStream(ctx context.Context, js jetstream.JetStream, n names, create bool) (*showStream, error) {
	short, cancel := context.WithTimeout(ctx, 2*time.Second)
	defer cancel()
	st, err := js.Stream(short, n.stream)
	if errors.Is(err, jetstream.ErrStreamNotFound) && create {
		key := make([]byte, 16)
		_, _ = rand.Read(key)
		st, err = js.CreateStream(short, streamConfig(n, randomID(), key))
		if errors.Is(err, jetstream.ErrStreamNameAlreadyInUse) {
			st, err = js.Stream(short, n.stream)
		}
	}
	if err != nil {
		return nil, err
	}
	meta := st.CachedInfo().Config.Metadata
	epoch := meta[metaEpoch]
	key, kerr := hex.DecodeString(meta[metaIdentityKey])
	if !protocol.ValidID(epoch) || kerr != nil || len(key) < 16 {
		return nil, fmt.Errorf("stream %s was not made by livecart (no epoch or identity key)", n.stream)
	}
	return &showStream{stream: st, epoch: epoch, key: key}, nil
}

// lastSeq is the stream's last sequence now.
func (s *showStream) lastSeq(ctx context.Context) (first, last uint64, err error) {
	info, err := s.stream.Info(ctx)
	if err != nil {
		return 0, 0, fmt.Errorf("stream info: %w", err)
	}
	return info.State.FirstSeq, info.State.LastSeq, nil
}

// fetch returns the events after after, up to upTo, in order: fewer when
// the stream no longer holds them all from the start.
func (s *showStream) fetch(ctx context.Context, n names, after, upTo uint64) ([][]byte, error) {
	if upTo <= after {
		return nil, nil
	}
	cons, err := s.stream.OrderedConsumer(ctx, jetstream.OrderedConsumerConfig{
		FilterSubjects: []string{n.events()},
		DeliverPolicy:  jetstream.DeliverByStartSequencePolicy,
		OptStartSeq:    after + 1,
	})
	if err != nil {
		return nil, fmt.Errorf("fetch events after %d: %w", after, err)
	}
	var out [][]byte
	next := after + 1
	for next <= upTo {
		batch, err := cons.Fetch(int(min(upTo-next+1, 512)), jetstream.FetchMaxWait(2*time.Second))
		if err != nil {
			return out, fmt.Errorf("fetch events after %d: %w", after, err)
		}
		got := 0
		for m := range batch.Messages() {
			got++
			meta, err := m.Metadata()
			if err != nil || meta.Sequence.Stream != next {
				return out, nil // a hole: the stream lost some
			}
			out = append(out, m.Data())
			if next++; next > upTo {
				break
			}
		}
		if err := batch.Error(); err != nil && !errors.Is(err, nats.ErrTimeout) {
			return out, fmt.Errorf("fetch events after %d: %w", after, err)
		}
		if got == 0 {
			return out, nil
		}
	}
	return out, nil
}

// restore reads what an owner carries on from: the last seq, the latest
// event on each state subject, and the last events up to tail of them.
func (s *showStream) restore(ctx context.Context, n names, cat server.Catalog, tail int) (uint64, [][]byte, [][]byte, error) {
	first, last, err := s.lastSeq(ctx)
	if err != nil || last == 0 {
		return 0, nil, nil, err
	}
	subjects := []string{n.prefix + "ev.pin", n.prefix + "ev.settings", n.prefix + "ev.auction", n.prefix + "ev.giveaway"}
	for _, p := range cat.Products {
		subjects = append(subjects, n.eventSubject(protocol.TypeProduct, p.ID))
	}
	var state [][]byte
	for _, subj := range subjects {
		m, err := s.stream.GetLastMsgForSubject(ctx, subj)
		if errors.Is(err, jetstream.ErrMsgNotFound) {
			continue
		}
		if err != nil {
			return 0, nil, nil, fmt.Errorf("restore %s: %w", subj, err)
		}
		state = append(state, m.Data)
	}
	from := max(first, last-min(last, uint64(tail))+1)
	events, err := s.fetch(ctx, n, from-1, last)
	if err != nil {
		return 0, nil, nil, err
	}
	if uint64(len(events)) != last-from+1 {
		return 0, nil, nil, fmt.Errorf("restore: the stream gave %d of events %d to %d", len(events), from, last)
	}
	return last, state, events, nil
}

// journal is an owner's server.Journal: each event is published to its
// subject with the sequence the stream must have before it, and a message
// ID that makes a retried publish harmless.
type journal struct {
	js   jetstream.JetStream
	n    names
	run  string // this owner's run, in message IDs
	wait time.Duration
}

func (j *journal) Append(entries []server.JournalEntry) error {
	ctx, cancel := context.WithTimeout(context.Background(), j.wait)
	defer cancel()
	futures := make([]jetstream.PubAckFuture, 0, len(entries))
	for _, e := range entries {
		m := nats.NewMsg(j.n.eventSubject(e.Type, e.Key))
		m.Data = e.Frame
		if e.Lazy {
			m.Header.Set(hdrLazy, "1")
		}
		if e.Storm {
			m.Header.Set(hdrStorm, "1")
		}
		f, err := j.js.PublishMsgAsync(m,
			jetstream.WithExpectStream(j.n.stream),
			jetstream.WithExpectLastSequence(e.Seq-1),
			jetstream.WithMsgID(j.run+"-"+strconv.FormatUint(e.Seq, 10)))
		if err != nil {
			return fmt.Errorf("publish event %d: %w", e.Seq, err)
		}
		futures = append(futures, f)
	}
	for i, f := range futures {
		seq := entries[i].Seq
		select {
		case ack := <-f.Ok():
			if ack.Sequence != seq {
				return fmt.Errorf("event %d stored as %d: %w", seq, ack.Sequence, server.ErrFenced)
			}
		case err := <-f.Err():
			var apiErr *jetstream.APIError
			if errors.As(err, &apiErr) && (apiErr.ErrorCode == jetstream.JSErrCodeStreamWrongLastSequence ||
				apiErr.ErrorCode == jetstream.JSErrCodeStreamWrongLastSequenceConstant) {
				return fmt.Errorf("event %d: %v: %w", seq, err, server.ErrFenced)
			}
			return fmt.Errorf("store event %d: %w", seq, err)
		case <-ctx.Done():
			return fmt.Errorf("store event %d: no answer in %s", seq, j.wait)
		}
	}
	return nil
}
