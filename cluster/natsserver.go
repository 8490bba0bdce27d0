package cluster

import (
	"fmt"
	"net"
	"strconv"
	"time"

	natsserver "github.com/nats-io/nats-server/v2/server"
)

// NATS is a NATS server with JetStream run inside this process: what
// `livecart serve --cluster` and the tests run the show on.
type NATS struct {
	srv *natsserver.Server
}

// StartNATS starts a NATS server with JetStream on addr (host:port; port 0
// picks a free one), keeping the streams in dir.
func StartNATS(addr, dir string) (*NATS, error) {
	host, portStr, err := net.SplitHostPort(addr)
	if err != nil {
		return nil, fmt.Errorf("nats address %q: %w", addr, err)
	}
	port, err := strconv.Atoi(portStr)
	if err != nil {
		return nil, fmt.Errorf("nats address %q: bad port", addr)
	}
	if port == 0 {
		port = natsserver.RANDOM_PORT
	}
	opts := &natsserver.Options{
		ServerName: "livecart",
		Host:       host,
		Port:       port,
		JetStream:  true,
		StoreDir:   dir,
		NoSigs:     true,
		NoLog:      true,
		// Owner → edge messages stay well under it (maxLinkMessage).
		MaxPayload: 1 << 20,
	}
	srv, err := natsserver.NewServer(opts)
	if err != nil {
		return nil, fmt.Errorf("start nats: %w", err)
	}
	go srv.Start()
	if !srv.ReadyForConnections(10 * time.Second) {
		srv.Shutdown()
		return nil, fmt.Errorf("start nats on %s: not ready after 10s", addr)
	}
	return &NATS{srv: srv}, nil
}

// URL is where clients connect: nats://host:port.
func (n *NATS) URL() string { return n.srv.ClientURL() }

// Stop shuts the server down and waits until it has.
func (n *NATS) Stop() {
	n.srv.Shutdown()
	n.srv.WaitForShutdown()
}
