package main

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"flag"
	"fmt"
	"log/slog"
	mrand "math/rand/v2"
	"net"
	"os"
	"path/filepath"
	"sync"
	"time"

	"github.com/adrg/xdg"

	"github.com/livecart/livecart/demo"
	"github.com/livecart/livecart/server"
	"github.com/livecart/livecart/store"
)

// This file runs a show on this machine, the server and its simulated
// audience, for livecart demo (and demo --host) and livecart serve.

// defaultAudience is how many simulated viewers the demo starts with: enough
// for a lively chat, few enough to read it.
const defaultAudience = 12

// maxAudience is the most simulated viewers --audience may ask for.
const maxAudience = 10_000

// checkAudience refuses an --audience out of range.
func checkAudience(n int) error {
	if n < 0 || n > maxAudience {
		return usageErrorf("--audience must be between 0 and %d", maxAudience)
	}
	return nil
}

// seedOrRandom returns the seed the user gave, or a fresh one.
func seedOrRandom(fs *flag.FlagSet, seed uint64) uint64 {
	given := false
	fs.Visit(func(f *flag.Flag) { given = given || f.Name == "seed" })
	if given {
		return seed
	}
	return mrand.Uint64()
}

// showOptions says what startShow runs and where.
type showOptions struct {
	addr        string
	catalogPath string // empty: the embedded demo catalog
	// fromStore, when set, reads the catalog from a real store instead of
	// catalogPath, re-reading it every refresh (0: never).
	fromStore *store.Source
	storeOpts store.Options
	refresh   time.Duration
	audience  int
	seed      uint64
	token     string // empty: a fresh random token
	publicURL string
	orders    string // orders file; empty: see ordersInState
	// ordersInState keeps the orders, when orders is empty, in the show's
	// file in the state folder, across runs (serve). Without it they are
	// kept for this run only (the demo).
	ordersInState bool
	// maxConnsPerIP caps connections per address; 0 picks one that fits
	// the simulated audience, negative lifts the cap.
	maxConnsPerIP int
	chatCap       int      // server.Config.ChatCap
	allowedHosts  []string // server.Config.AllowedHosts
	logger        *slog.Logger
	// personHosts: a person runs the show (livecart host, or demo --host),
	// so the audience runs without the scripted host.
	personHosts bool
	// sshSessions is how many viewers an SSH server of the show may bring
	// from this machine: room for them is added to the cap per address
	// that maxConnsPerIP 0 picks.
	sshSessions int
	// newServer makes the show's server from its config; nil means
	// server.New. A show on NATS gives its owner's (see servecluster.go).
	newServer func(server.Config) (*server.Server, showServer, error)
}

// showServer serves a show: a server.Server, or a cluster.Owner that
// serves one.
type showServer interface {
	Serve(ctx context.Context, ln net.Listener) error
	End()
}

// newLocalServer is a show's server when it runs on this process alone.
func newLocalServer(cfg server.Config) (*server.Server, showServer, error) {
	srv, err := server.New(cfg)
	return srv, srv, err
}

// runningShow is a show server with its simulated audience.
type runningShow struct {
	// fromStore is what the read of a real store said: its currency and
	// where that came from, and what was cut. Nil for a catalog file.
	fromStore *store.Result
	addr      string
	wsURL     string
	token     string
	title     string
	showID    string
	srv       showServer
	served    chan struct{} // closed once the server has stopped
	wg        sync.WaitGroup
	mu        sync.Mutex
	errs      []error
}

// startShow listens, serves the show and starts the simulated audience. All
// of it stops when ctx is done; wait returns once it has.
func startShow(ctx context.Context, o showOptions) (*runningShow, error) {
	var (
		catalog server.Catalog
		read    *store.Result
		err     error
	)
	if o.fromStore != nil {
		r, err := store.Fetch(ctx, *o.fromStore, o.storeOpts)
		if err != nil {
			return nil, err
		}
		catalog, read = r.Catalog, &r
	} else if catalog, err = loadCatalog(o.catalogPath); err != nil {
		return nil, err
	}
	token := o.token
	if token == "" {
		token = newToken()
	}
	ln, err := net.Listen("tcp", o.addr)
	if err != nil {
		return nil, fmt.Errorf("listen on %s: %w", o.addr, err)
	}
	addr := ln.Addr().String()
	public := o.publicURL
	if public == "" {
		public = "http://" + addr
	}
	orders := o.orders
	if orders == "" && o.ordersInState {
		orders = defaultOrdersFile(catalog.Show.ID)
	}
	if orders != "" {
		if err := os.MkdirAll(filepath.Dir(orders), 0o700); err != nil {
			ln.Close()
			return nil, fmt.Errorf("orders folder: %w", err)
		}
	}
	perIP := o.maxConnsPerIP
	if perIP == 0 {
		// The simulated audience connects from this machine too; leave
		// room for it plus a few real viewers.
		perIP = max(server.DefaultMaxConnsPerIP, o.audience+16) + o.sshSessions
	}
	newServer := o.newServer
	if newServer == nil {
		newServer = newLocalServer
	}
	srv, serving, err := newServer(server.Config{
		Catalog: catalog, HostToken: token, PublicURL: public, AllowedHosts: o.allowedHosts, Logger: o.logger, OrdersFile: orders,
		MaxConnsPerIP: perIP, ChatCap: o.chatCap, StoreCheckout: storeCheckout(read),
	})
	if err != nil {
		ln.Close()
		return nil, err
	}
	s := &runningShow{fromStore: read, addr: addr, wsURL: "ws://" + addr + "/ws", token: token, title: catalog.Show.Title, showID: catalog.Show.ID, srv: serving, served: make(chan struct{})}
	if read != nil && o.refresh > 0 {
		f := store.Follower{Source: *o.fromStore, Options: o.storeOpts, Every: o.refresh, Apply: srv.ApplyCatalog, Warn: srv.SetStoreWarning, Log: o.logger}
		s.wg.Go(func() { s.fail(f.Run(ctx)) })
	}
	s.wg.Add(2)
	go func() {
		defer s.wg.Done()
		defer close(s.served)
		s.fail(serving.Serve(ctx, ln))
	}()
	go func() {
		defer s.wg.Done()
		s.fail(demo.Run(ctx, demo.Config{
			URL: s.wsURL, HostToken: token, Audience: o.audience, Seed: o.seed, Logger: o.logger,
			NoHost: o.personHosts,
		}))
	}()
	return s, nil
}

func (s *runningShow) fail(err error) {
	if err == nil {
		return
	}
	s.mu.Lock()
	s.errs = append(s.errs, err)
	s.mu.Unlock()
}

// end tells everyone watching that the show is over, so their clients stop
// rather than wait for a restart; the simulated audience leaves too. The
// caller then cancels the show's context. Without end, cancelling it tells
// viewers the server is restarting.
func (s *runningShow) end() { s.srv.End() }

// wait blocks until the server and audience have stopped.
func (s *runningShow) wait() error {
	s.wg.Wait()
	return errors.Join(s.errs...)
}

// loadCatalog reads the catalog file at path, or the demo's when path is
// empty.
func loadCatalog(path string) (server.Catalog, error) {
	if path != "" {
		return server.LoadCatalog(path)
	}
	c, err := server.ParseCatalog(demo.Catalog())
	if err != nil {
		return server.Catalog{}, fmt.Errorf("demo catalog: %w", err)
	}
	return c, nil
}

// storeCheckout is the checkout template of the store a catalog was read
// from, or "" for a catalog file.
func storeCheckout(r *store.Result) string {
	if r == nil {
		return ""
	}
	return r.Checkout
}

// newToken returns a random host token.
func newToken() string {
	b := make([]byte, 16)
	rand.Read(b)
	return hex.EncodeToString(b)
}

// defaultOrdersFile is where a show's orders are kept between runs.
func defaultOrdersFile(showID string) string {
	return filepath.Join(xdg.StateHome, "livecart", "orders", showID+".jsonl")
}
