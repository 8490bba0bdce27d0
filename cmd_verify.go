package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"os"
	"strings"
	"time"

	"github.com/livecart/livecart/draw"
	"github.com/livecart/livecart/sanitize"
)

const verifySynopsis = `Usage: livecart verify [flags] URL|FILE|-

Check a giveaway's draw from the record the show server publishes once the
winner is drawn, at /giveaways/ID on its web address (for example
http://127.0.0.1:7420/giveaways/gw-1). Give that URL (http or https), a
file holding the record, or - to read it from standard input. The record is
read as a stranger's: at most 8 MiB, every field checked before it is used.

What is checked, in this order; the first mismatch ends the check:
  commitment     the revealed seed and the giveaway ID hash to the
                 commitment: SHA-256(seed || giveaway_id)
  entrants hash  the entrant list hashes to the entrants hash, and is
                 sorted in byte order with no ID twice
  winner index   HMAC-SHA256 keyed with the seed, over the entrants hash,
                 draws the winner index, without modulo bias
  winner         the entrant at that index is the winner
The scheme is in docs/PROTOCOL.md, under "Giveaway draw".

What this proves: the winner follows from the seed the server committed to
when the giveaway started, so the server did not change its randomness
after entries closed, nor draw again until it liked the result. That holds
only if the commitment shown here is the one the show announced when the
giveaway started, and the entrants hash the one it announced when entries
closed: compare them yourself, as this command cannot know what the show
told you.

What it does not prove: the server picks the seed, so it can work out who
any list of entrants would make the winner before entries close. A server
that chose its seed in advance can favour someone by adding entries of its
own, or leaving some out, until the entrant it wants is drawn. A public
randomness beacon round fixed in advance and published only after entries
close (such as drand's) would rule that out; livecart does not use one. The
product and the winner's name are the server's word: only IDs are drawn.

Exit status: 0 when every check passes; 1 when one fails or the record
cannot be read; 2 when the command line is wrong.
`

// stdin is what 'livecart verify -' reads; tests replace it.
var stdin io.Reader = os.Stdin

func runVerify(args []string, stdout io.Writer) error {
	fs := flag.NewFlagSet("verify", flag.ContinueOnError)
	timeout := fs.Duration("timeout", 10*time.Second, "how long to wait for a URL to answer, in all")
	rest, err := parse(fs, args, stdout, verifySynopsis)
	if err != nil {
		return err
	}
	src, err := oneArg(rest, "record URL or file")
	if err != nil {
		return err
	}
	if src == "" {
		return usageErrorf("no record: give its URL, a file, or - for standard input")
	}
	if *timeout <= 0 {
		return usageErrorf("--timeout: %s is not a positive duration", *timeout)
	}
	data, err := readRecord(context.Background(), src, *timeout)
	if err != nil {
		return err
	}
	r, err := draw.ParseRecord(data)
	if err != nil {
		return fmt.Errorf("record %s: %w", sourceName(src), err)
	}
	err = r.Verify()
	if err == nil || errors.As(err, new(*draw.MismatchError)) {
		report(stdout, r, err)
	}
	return err
}

// sourceName is how errors name where the record came from.
func sourceName(src string) string {
	if src == "-" {
		return "on standard input"
	}
	return src
}

// readRecord reads the record's bytes from a URL, a file or standard
// input, refusing more than draw.MaxRecordBytes.
func readRecord(ctx context.Context, src string, timeout time.Duration) ([]byte, error) {
	if src == "-" {
		return readCapped(stdin, "record on standard input")
	}
	if scheme, _, ok := strings.Cut(src, "://"); ok {
		if scheme != "http" && scheme != "https" {
			return nil, usageErrorf("%s: a record URL starts http:// or https://", src)
		}
		return fetchRecord(ctx, src, timeout)
	}
	f, err := os.Open(src)
	if err != nil {
		switch {
		case errors.Is(err, os.ErrNotExist):
			return nil, fmt.Errorf("record %s: no such file", src)
		case errors.Is(err, os.ErrPermission):
			return nil, fmt.Errorf("record %s: permission denied", src)
		}
		return nil, fmt.Errorf("record %s: %w", src, err)
	}
	defer f.Close()
	if st, err := f.Stat(); err == nil && st.IsDir() {
		return nil, fmt.Errorf("record %s: is a folder, not a file", src)
	}
	return readCapped(f, "record "+src)
}

// fetchRecord GETs a record, within timeout in all.
func fetchRecord(ctx context.Context, u string, timeout time.Duration) ([]byte, error) {
	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, u, nil)
	if err != nil {
		var ue *url.Error
		if errors.As(err, &ue) {
			err = ue.Err
		}
		return nil, usageErrorf("%s is not a URL: %v", u, err)
	}
	req.Header.Set("Accept", "application/json")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		if ctx.Err() != nil {
			return nil, fmt.Errorf("GET %s: no answer within %s", u, timeout)
		}
		var ue *url.Error
		if errors.As(err, &ue) {
			err = ue.Err
		}
		return nil, fmt.Errorf("GET %s: %w", u, err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return nil, fmt.Errorf("GET %s: HTTP %s", u, resp.Status)
	}
	data, err := readCapped(resp.Body, "GET "+u)
	if err != nil && ctx.Err() != nil {
		return nil, fmt.Errorf("GET %s: the record did not arrive within %s", u, timeout)
	}
	return data, err
}

// readCapped reads r to its end, refusing more than draw.MaxRecordBytes.
func readCapped(r io.Reader, what string) ([]byte, error) {
	data, err := io.ReadAll(io.LimitReader(r, draw.MaxRecordBytes+1))
	if err != nil {
		return nil, fmt.Errorf("%s: %w", what, err)
	}
	if len(data) > draw.MaxRecordBytes {
		return nil, fmt.Errorf("%s: more than %d MiB, larger than any giveaway record", what, draw.MaxRecordBytes>>20)
	}
	return data, nil
}

// report prints what was checked: a ✓ for each check passed, and a ✗ for
// the one that failed (err says how; it is printed after as the error).
func report(w io.Writer, r draw.Record, err error) {
	giveaway := r.GiveawayID
	if name := sanitize.Line(r.ProductName); name != "" {
		giveaway += ": " + name
		if r.ProductID != "" {
			giveaway += " (" + r.ProductID + ")"
		}
	} else if r.ProductID != "" {
		giveaway += ": " + r.ProductID
	}
	fmt.Fprintf(w, "%-14s %s\n", "giveaway", giveaway)
	fmt.Fprintf(w, "%-14s %d\n", "entrants", len(r.Entrants))

	index, winner := fmt.Sprint(r.WinnerIndex), "none: nobody entered"
	if r.WinnerIndex == draw.NoWinner {
		index = "none"
	}
	if r.Winner != "" {
		winner = r.Winner
		if name := sanitize.Line(r.WinnerName); name != "" {
			winner = name + " (" + r.Winner + ")"
		}
	}
	failed := ""
	var m *draw.MismatchError
	if errors.As(err, &m) {
		failed = m.Field
		if failed == draw.FieldEntrants {
			failed = draw.FieldEntrantsHash // the one line covers the list's order
		}
	}
	for _, c := range []struct{ field, label, value string }{
		{draw.FieldCommitment, "commitment", r.Commitment},
		{draw.FieldEntrantsHash, "entrants hash", r.EntrantsHash},
		{draw.FieldWinnerIndex, "winner index", index},
		{draw.FieldWinner, "winner", winner},
	} {
		if c.field == failed {
			fmt.Fprintf(w, "%-14s ✗ does not match\n", c.label)
			return
		}
		fmt.Fprintf(w, "%-14s ✓ %s\n", c.label, c.value)
	}
	if err != nil {
		return
	}
	fmt.Fprintln(w, "\nThe draw checks out. Compare the commitment with the one the show announced\n"+
		"when the giveaway started, and the entrants hash with the one it announced\n"+
		"when entries closed: this check cannot know what the show told you.")
}
