// Command clusternode runs one process of a show on NATS for the load
// tests: the owner (with the NATS server, JetStream on, inside it), an
// edge, or a bare NATS server (for peers that need one). It is package
// cluster's API with the flags `livecart serve` gives a single server, so
// that bench/cluster.sh can kill and measure each process on its own.
//
//	clusternode -role owner -nats-listen 127.0.0.1:4222 -addr 127.0.0.1:7420 -token T
//	clusternode -role edge -nats nats://127.0.0.1:4222 -addr 127.0.0.1:7431
//	clusternode -role nats -nats-listen 127.0.0.1:4222
//
// Each prints one line once it serves: "owner ws://…/ws SHOW_ID",
// "edge ws://…/ws" or "nats nats://…", and stops on SIGINT or SIGTERM.
package main

import (
	"context"
	"flag"
	"fmt"
	"log/slog"
	"net"
	"os"
	"os/signal"
	"syscall"

	"github.com/livecart/livecart/cluster"
	"github.com/livecart/livecart/demo"
	"github.com/livecart/livecart/server"
)

func main() {
	role := flag.String("role", "", "owner, edge or nats")
	natsListen := flag.String("nats-listen", "127.0.0.1:4222", "owner, nats: where the NATS server listens")
	natsURL := flag.String("nats", "nats://127.0.0.1:4222", "edge: the NATS server")
	storeDir := flag.String("store", "", "owner, nats: JetStream's directory (default: a new temporary one)")
	addr := flag.String("addr", "127.0.0.1:7420", "owner, edge: the WebSocket address")
	token := flag.String("token", "", "owner: the host token")
	chatCap := flag.Int("chat-cap", -1, "owner: viewers' chat lines a second broadcast; -1 for no cap")
	show := flag.String("show", "", "edge: the show's ID (default: the demo catalog's)")
	logFile := flag.String("log", "", "write a log to this file (default: none)")
	flag.Parse()

	log := slog.New(slog.DiscardHandler)
	if *logFile != "" {
		f, err := os.Create(*logFile)
		if err != nil {
			fatal(err)
		}
		defer f.Close()
		log = slog.New(slog.NewTextHandler(f, nil))
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	catalog, err := server.ParseCatalog(demo.Catalog())
	if err != nil {
		fatal(err)
	}

	switch *role {
	case "nats":
		n := startNATS(*natsListen, *storeDir)
		fmt.Println("nats", n.URL())
		<-ctx.Done()
		n.Stop()
	case "owner":
		n := startNATS(*natsListen, *storeDir)
		defer n.Stop()
		ln := listen(*addr)
		o, err := cluster.NewOwner(ctx, cluster.OwnerConfig{NATS: n.URL(), Logger: log, Show: server.Config{
			Catalog: catalog, HostToken: *token, PublicURL: "http://" + ln.Addr().String(),
			MaxConnsPerIP: -1, ChatCap: *chatCap, Logger: log,
			OrdersFile: tempDir() + "/orders.jsonl",
		}})
		if err != nil {
			fatal(err)
		}
		fmt.Println("owner", "ws://"+ln.Addr().String()+"/ws", catalog.Show.ID)
		if err := o.Serve(ctx, ln); err != nil {
			fatal(err)
		}
	case "edge":
		id := *show
		if id == "" {
			id = catalog.Show.ID
		}
		// Listen once the edge follows the show, so that a port that
		// accepts is an edge that serves.
		e, err := cluster.NewEdge(ctx, cluster.EdgeConfig{NATS: *natsURL, ShowID: id, MaxConnsPerIP: -1, Logger: log})
		if err != nil {
			fatal(err)
		}
		ln := listen(*addr)
		fmt.Println("edge", "ws://"+ln.Addr().String()+"/ws")
		if err := e.Serve(ctx, ln); err != nil {
			fatal(err)
		}
	default:
		fatal(fmt.Errorf("-role %q: want owner, edge or nats", *role))
	}
}

func startNATS(addr, dir string) *cluster.NATS {
	if dir == "" {
		dir = tempDir()
	}
	n, err := cluster.StartNATS(addr, dir)
	if err != nil {
		fatal(err)
	}
	return n
}

func listen(addr string) net.Listener {
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		fatal(err)
	}
	return ln
}

var tmp string

func tempDir() string {
	if tmp == "" {
		d, err := os.MkdirTemp("", "clusternode-")
		if err != nil {
			fatal(err)
		}
		tmp = d
	}
	return tmp
}

func fatal(err error) {
	fmt.Fprintln(os.Stderr, "clusternode:", err)
	os.Exit(1)
}
