package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"net"
	"os"
	"os/signal"
	"slices"
	"strconv"
	"strings"
	"sync"
	"syscall"

	"github.com/livecart/livecart/cluster"
	"github.com/livecart/livecart/protocol"
	"github.com/livecart/livecart/server"
)

// This file runs a show on several processes, for livecart serve
// --cluster and --role: the NATS flags, which of serve's flags each way
// of serving takes, and the edges.

// maxClusterEdges is the most edges --cluster may start: as many as a
// client reads from a welcome's alternates.
const maxClusterEdges = 16

// serveMode is how livecart serve serves.
type serveMode int

const (
	modeAlone   serveMode = iota // one server holds the show and its viewers
	modeCluster                  // --cluster: NATS, an owner and edges, in this process
	modeOwner                    // --role owner
	modeEdge                     // --role edge
)

// flagName is how the command line asks for a mode.
func (m serveMode) flagName() string {
	return [...]string{"serve alone", "--cluster", "--role owner", "--role edge"}[m]
}

// modeFlags are the flags only some modes take; any other flag goes with
// every mode.
var modeFlags = map[string][]serveMode{
	"nats":        {modeOwner, modeEdge},
	"nats-domain": {modeOwner, modeEdge},
	"nats-listen": {modeCluster, modeOwner},
	"nats-dir":    {modeCluster, modeOwner},
	"show":        {modeEdge},
	// The show's own: an edge has none, its owner holds it.
	"catalog":         {modeAlone, modeCluster, modeOwner},
	"currency":        {modeAlone, modeCluster, modeOwner},
	"show-stock":      {modeAlone, modeCluster, modeOwner},
	"catalog-refresh": {modeAlone, modeCluster, modeOwner},
	"audience":        {modeAlone, modeCluster, modeOwner},
	"seed":            {modeAlone, modeCluster, modeOwner},
	"token":           {modeAlone, modeCluster, modeOwner},
	"host-bot":        {modeAlone, modeCluster, modeOwner},
	"orders":          {modeAlone, modeCluster, modeOwner},
	"chat-cap":        {modeAlone, modeCluster, modeOwner},
}

// clusterFlags are serve's flags for a show on several processes.
type clusterFlags struct {
	edges      int
	role       string
	nats       string
	natsDomain string
	natsListen string
	natsDir    string
	show       string
}

func (c *clusterFlags) register(fs *flag.FlagSet) {
	fs.IntVar(&c.edges, "cluster", 0, fmt.Sprintf("run the show on NATS in this process: NATS, the owner on --addr, and this many edges, 1 to %d, on the ports after --addr's (see above) (default: off)", maxClusterEdges))
	fs.StringVar(&c.role, "role", "", "run one process of a show on NATS: owner (the show, on --addr) or edge (viewers of --show); needs --nats, or for the owner --nats-listen (see above)")
	fs.StringVar(&c.nats, "nats", "", "with --role, the NATS server to use, with JetStream, e.g. nats://10.0.0.5:4222")
	fs.StringVar(&c.natsDomain, "nats-domain", "", "with --nats, the JetStream domain the show's stream is in (default: the server's own)")
	fs.StringVar(&c.natsListen, "nats-listen", "", "with --cluster or --role owner, run a NATS server with JetStream in this process, on this address, for the edges (default with --cluster: a free loopback port)")
	fs.StringVar(&c.natsDir, "nats-dir", "", "with --nats-listen or --cluster, where JetStream keeps the show's stream, so a restart carries the show on (default: a temporary folder, removed on exit)")
	fs.StringVar(&c.show, "show", "", "with --role edge, the ID of the show to serve, as its owner prints it")
}

// mode checks the flags fs was given against each other and says how
// serve runs.
func (c *clusterFlags) mode(fs *flag.FlagSet) (serveMode, error) {
	mode := modeAlone
	switch {
	case flagGiven(fs, "cluster") && flagGiven(fs, "role"):
		return 0, usageErrorf("--cluster and --role do not go together: --cluster runs the owner and the edges in this process")
	case flagGiven(fs, "cluster"):
		if c.edges < 1 || c.edges > maxClusterEdges {
			return 0, usageErrorf("--cluster must be between 1 and %d", maxClusterEdges)
		}
		mode = modeCluster
	case c.role == "owner":
		mode = modeOwner
	case c.role == "edge":
		mode = modeEdge
	case flagGiven(fs, "role"):
		return 0, usageErrorf("--role must be owner or edge, got %q", c.role)
	}
	var err error
	fs.Visit(func(f *flag.Flag) {
		modes, ok := modeFlags[f.Name]
		if err != nil || !ok || slices.Contains(modes, mode) {
			return
		}
		var names []string
		for _, m := range modes {
			names = append(names, m.flagName())
		}
		if mode == modeAlone {
			err = usageErrorf("--%s needs %s", f.Name, strings.Join(names, " or "))
		} else {
			err = usageErrorf("--%s does not apply to %s; it is for %s", f.Name, mode.flagName(), strings.Join(names, ", "))
		}
	})
	if err != nil {
		return 0, err
	}
	switch {
	case mode == modeEdge && c.nats == "":
		return 0, usageErrorf("--role edge needs --nats URL, the NATS server its owner uses")
	case mode == modeEdge && !protocol.ValidID(c.show):
		return 0, usageErrorf("--role edge needs --show SHOW_ID, the ID its owner prints")
	case mode == modeOwner && c.nats == "" && c.natsListen == "":
		return 0, usageErrorf("--role owner needs --nats URL, or --nats-listen ADDR to run NATS in this process")
	case mode == modeOwner && c.nats != "" && c.natsListen != "":
		return 0, usageErrorf("--nats and --nats-listen do not go together: the owner uses a NATS server, or runs one")
	case mode == modeOwner && c.natsDir != "" && c.natsListen == "":
		return 0, usageErrorf("--nats-dir needs --nats-listen: it is where a NATS server run here keeps the stream")
	case mode == modeOwner && c.natsDomain != "" && c.nats == "":
		return 0, usageErrorf("--nats-domain needs --nats")
	}
	if c.natsListen != "" {
		if _, _, err := net.SplitHostPort(c.natsListen); err != nil {
			return 0, usageErrorf("--nats-listen: want HOST:PORT, got %q", c.natsListen)
		}
	}
	return mode, nil
}

// embeddedNATS is a NATS server run by this process, and the temporary
// folder it keeps its stream in, if any.
type embeddedNATS struct {
	*cluster.NATS
	dir  string // where JetStream keeps the stream
	temp bool   // dir is removed on exit
}

// startNATS starts NATS on addr (a free loopback port when empty), keeping
// the stream in dir, or in a temporary folder when dir is empty.
func startNATS(addr, dir string) (*embeddedNATS, error) {
	n := &embeddedNATS{dir: dir}
	if addr == "" {
		addr = "127.0.0.1:0"
	}
	if dir == "" {
		tmp, err := os.MkdirTemp("", "livecart-nats-")
		if err != nil {
			return nil, fmt.Errorf("nats folder: %w", err)
		}
		n.dir, n.temp = tmp, true
	}
	srv, err := cluster.StartNATS(addr, n.dir)
	if err != nil {
		n.removeTemp()
		return nil, err
	}
	n.NATS = srv
	return n, nil
}

// stop stops the server and removes a temporary folder.
func (n *embeddedNATS) stop() {
	if n == nil {
		return
	}
	n.Stop()
	n.removeTemp()
}

func (n *embeddedNATS) removeTemp() {
	if n.temp {
		os.RemoveAll(n.dir)
	}
}

// describe is its line in serve's start: where, and where the stream is kept.
func (n *embeddedNATS) describe() string {
	if n.temp {
		return n.URL() + ", run here (its stream in a temporary folder, removed on exit)"
	}
	return n.URL() + ", run here (its stream in " + n.dir + ")"
}

// ownerServer makes a show's server the owner of the show on NATS at url.
func ownerServer(ctx context.Context, url, domain string, logger *slog.Logger) func(server.Config) (*server.Server, showServer, error) {
	return func(cfg server.Config) (*server.Server, showServer, error) {
		o, err := cluster.NewOwner(ctx, cluster.OwnerConfig{NATS: url, Domain: domain, Show: cfg, Logger: logger})
		if err != nil {
			return nil, nil, err
		}
		return o.Server(), o, nil
	}
}

// edgeOptions say where an edge serves and whom it admits.
type edgeOptions struct {
	nats, domain  string
	showID        string
	publicURL     string
	allowedHosts  []string
	maxConnsPerIP int
	logger        *slog.Logger
	// An edge run on its own may serve the viewer to SSH sessions too:
	// each session is a viewer of this edge.
	sshAddr, sshDir string
}

// edgeConnsPerIP is an edge's cap on connections per address: the one
// given, or, when none is, the default with room for its SSH sessions,
// which all come from this machine.
func edgeConnsPerIP(given int, sshAddr string) int {
	if given != 0 {
		return given
	}
	return server.DefaultMaxConnsPerIP + sshSessions(sshAddr)
}

// runningEdges are edges serving a show, each on its own listener.
type runningEdges struct {
	edges  []*cluster.Edge
	urls   []string // the WebSocket URL of each, on its listener
	cancel context.CancelFunc
	wg     sync.WaitGroup
	mu     sync.Mutex
	errs   []error
	done   chan struct{} // closed once any edge's Serve returned
	once   sync.Once
}

// startEdges starts an edge on each address; start bounds the wait for
// the show's stream and owner.
func startEdges(start context.Context, addrs []string, o edgeOptions) (*runningEdges, error) {
	ctx, cancel := context.WithCancel(context.Background())
	r := &runningEdges{cancel: cancel, done: make(chan struct{})}
	lns := make([]net.Listener, 0, len(addrs))
	closeAll := func() {
		for _, ln := range lns {
			ln.Close()
		}
		cancel()
	}
	for _, addr := range addrs {
		ln, err := net.Listen("tcp", addr)
		if err != nil {
			closeAll()
			return nil, fmt.Errorf("listen on %s: %w", addr, err)
		}
		lns = append(lns, ln)
	}
	for i, ln := range lns {
		logger := o.logger
		if len(lns) > 1 {
			logger = logger.With("node", "edge "+strconv.Itoa(i+1))
		}
		e, err := cluster.NewEdge(start, cluster.EdgeConfig{
			NATS: o.nats, Domain: o.domain, ShowID: o.showID, PublicURL: o.publicURL,
			AllowedHosts: o.allowedHosts, MaxConnsPerIP: o.maxConnsPerIP, Logger: logger,
		})
		if err != nil {
			closeAll()
			r.stop()
			return nil, err
		}
		r.edges = append(r.edges, e)
		r.urls = append(r.urls, "ws://"+ln.Addr().String()+"/ws")
		r.wg.Go(func() {
			if err := e.Serve(ctx, ln); err != nil {
				r.mu.Lock()
				r.errs = append(r.errs, err)
				r.mu.Unlock()
			}
			r.once.Do(func() { close(r.done) })
		})
	}
	return r, nil
}

// end closes every viewer's socket on every edge with "show ended": the
// show is over. Only the edges of this process; the owner's End tells
// the others.
func (r *runningEdges) end() {
	if r == nil {
		return
	}
	for _, e := range r.edges {
		e.Server().End()
	}
}

// stop stops the edges and waits for them; their viewers, unless end came
// first, are told the edge is going away and move to another.
func (r *runningEdges) stop() error {
	if r == nil {
		return nil
	}
	r.cancel()
	r.wg.Wait()
	r.mu.Lock()
	defer r.mu.Unlock()
	return errors.Join(r.errs...)
}

// stopped is closed once an edge has stopped on its own; nil when there
// are no edges.
func (r *runningEdges) stopped() <-chan struct{} {
	if r == nil {
		return nil
	}
	return r.done
}

// edgeAddrs are the addresses of n edges next to the owner's: the n ports
// after its port, or free ports when it is 0.
func edgeAddrs(owner string, n int) ([]string, error) {
	host, portStr, err := net.SplitHostPort(owner)
	if err != nil {
		return nil, usageErrorf("--addr: want HOST:PORT, got %q", owner)
	}
	port, err := strconv.Atoi(portStr)
	if err != nil || port < 0 || port > 65535 {
		return nil, usageErrorf("--addr: %q is not a port", portStr)
	}
	if port+n > 65535 {
		return nil, usageErrorf("--cluster %d: the edges' ports, after %d, would pass 65535", n, port)
	}
	addrs := make([]string, n)
	for i := range addrs {
		p := 0
		if port != 0 {
			p = port + 1 + i
		}
		addrs[i] = net.JoinHostPort(host, strconv.Itoa(p))
	}
	return addrs, nil
}

// runEdge runs livecart serve --role edge until a signal.
func runEdge(stop *stopSignal, addr string, o edgeOptions, stdout io.Writer) error {
	edges, err := startEdges(stop.ctx, []string{addr}, o)
	if err != nil {
		if stop.ctx.Err() != nil {
			return errors.New("stopped before the edge was ready")
		}
		return err
	}
	url := edges.urls[0]
	var ssh *sshShow
	if o.sshAddr != "" {
		if ssh, err = startSSH(stop.ctx, o.sshAddr, o.sshDir, url, o.logger); err != nil {
			return errors.Join(err, edges.stop())
		}
	}
	fmt.Fprintf(stdout, "livecart is serving show %q as an edge on %s\n", o.showID, strings.TrimSuffix(strings.TrimPrefix(url, "ws://"), "/ws"))
	fmt.Fprintf(stdout, "edge   %s\n", url)
	fmt.Fprintf(stdout, "  nats:       %s\n", o.nats)
	fmt.Fprintf(stdout, "  watch:      livecart watch %s\n", url)
	if ssh != nil {
		fmt.Fprintf(stdout, "  ssh:        %s\n", ssh.command())
		fmt.Fprintf(stdout, "  host key:   %s\n", ssh.fingerprint)
	}
	fmt.Fprintf(stdout, "Press Ctrl+C to stop this edge; the show goes on, its viewers move to another edge.\n")
	select {
	case <-stop.ctx.Done():
		fmt.Fprintln(stdout, "Stopping this edge…")
	case <-edges.stopped():
	}
	// The SSH sessions end with stop.ctx, or here once the edge is gone.
	err = edges.stop()
	stop.cancel()
	return errors.Join(err, ssh.wait())
}

// stopSignal is the first SIGINT or SIGTERM: its ctx is done when one
// came, and which says which.
type stopSignal struct {
	ctx     context.Context
	cancel  context.CancelFunc
	mu      sync.Mutex
	sig     os.Signal
	sigs    chan os.Signal
	release chan struct{}
	done    chan struct{}
}

// watchSignals catches SIGINT and SIGTERM until close.
func watchSignals() *stopSignal {
	s := &stopSignal{sigs: make(chan os.Signal, 1), release: make(chan struct{}), done: make(chan struct{})}
	s.ctx, s.cancel = context.WithCancel(context.Background())
	signal.Notify(s.sigs, os.Interrupt, syscall.SIGTERM)
	go func() {
		defer close(s.done)
		select {
		case sig := <-s.sigs:
			s.mu.Lock()
			s.sig = sig
			s.mu.Unlock()
			s.cancel()
		case <-s.release:
		}
	}()
	return s
}

// which is the signal that came, nil if none did.
func (s *stopSignal) which() os.Signal {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.sig
}

// close stops catching signals.
func (s *stopSignal) close() {
	signal.Stop(s.sigs)
	close(s.release)
	<-s.done
	s.cancel()
}
