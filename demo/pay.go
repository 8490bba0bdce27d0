package demo

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"
	"time"

	"golang.org/x/net/html"
)

// Paying a checkout page: the audience pays for what it won and the gifts
// it sends the way a person does, by opening the link the show gave it and
// pressing the page's button, so the demo store records these orders on
// the same path as everyone else's.
const (
	payTimeout  = 10 * time.Second
	maxPageSize = 1 << 20
)

// payer submits checkout pages of one show.
type payer struct {
	client *http.Client
	host   string // the show's host:port; links elsewhere are refused
}

func newPayer(showURL string) (*payer, error) {
	u, err := url.Parse(showURL)
	if err != nil {
		return nil, fmt.Errorf("show url: %w", err)
	}
	return &payer{
		client: &http.Client{
			Transport: http.DefaultTransport.(*http.Transport).Clone(),
			Timeout:   payTimeout,
			// A checkout page answers the form with a page of its own;
			// a redirect elsewhere is not followed.
			CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse },
		},
		host: u.Host,
	}, nil
}

// close lets go of the connections kept for the next payment.
func (p *payer) close() { p.client.CloseIdleConnections() }

// pay opens link and submits the page's order form. It returns an error
// when the link points off the show, the page has no form (the item is
// gone, the hold lapsed) or the order is refused.
func (p *payer) pay(ctx context.Context, link string) error {
	page, err := url.Parse(link)
	if err != nil || page.Host != p.host || (page.Scheme != "http" && page.Scheme != "https") {
		return fmt.Errorf("pay: %q is not a link of this show", link)
	}
	body, err := p.get(ctx, page)
	if err != nil {
		return err
	}
	action, fields, err := orderForm(body)
	if err != nil {
		return fmt.Errorf("pay %s: %w", page.Path, err)
	}
	target := page.ResolveReference(action)
	if target.Host != p.host {
		return fmt.Errorf("pay %s: the form posts off the show", page.Path)
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, target.String(), strings.NewReader(fields.Encode()))
	if err != nil {
		return err
	}
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.Header.Set("Origin", page.Scheme+"://"+page.Host)
	resp, err := p.client.Do(req)
	if err != nil {
		return fmt.Errorf("pay %s: %w", page.Path, err)
	}
	defer resp.Body.Close()
	_, _ = io.Copy(io.Discard, io.LimitReader(resp.Body, maxPageSize))
	if resp.StatusCode >= 300 {
		return fmt.Errorf("pay %s: %s", page.Path, resp.Status)
	}
	return nil
}

func (p *payer) get(ctx context.Context, page *url.URL) ([]byte, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, page.String(), nil)
	if err != nil {
		return nil, err
	}
	resp, err := p.client.Do(req)
	if err != nil {
		return nil, fmt.Errorf("open %s: %w", page.Path, err)
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(io.LimitReader(resp.Body, maxPageSize))
	if err != nil {
		return nil, fmt.Errorf("open %s: %w", page.Path, err)
	}
	if resp.StatusCode != http.StatusOK {
		return nil, fmt.Errorf("open %s: %s", page.Path, resp.Status)
	}
	return body, nil
}

// errNoForm means the page offers nothing to order.
var errNoForm = errors.New("the page has no order form")

// orderForm returns the action and the fields of the page's first form
// that posts.
func orderForm(page []byte) (*url.URL, url.Values, error) {
	doc, err := html.Parse(strings.NewReader(string(page)))
	if err != nil {
		return nil, nil, err
	}
	var form *html.Node
	for n := range doc.Descendants() {
		if n.Type == html.ElementNode && n.Data == "form" && strings.EqualFold(attr(n, "method"), "post") {
			form = n
			break
		}
	}
	if form == nil {
		return nil, nil, errNoForm
	}
	action, err := url.Parse(attr(form, "action"))
	if err != nil {
		return nil, nil, fmt.Errorf("form action: %w", err)
	}
	fields := url.Values{}
	for n := range form.Descendants() {
		if n.Type == html.ElementNode && n.Data == "input" && attr(n, "name") != "" {
			fields.Add(attr(n, "name"), attr(n, "value"))
		}
	}
	return action, fields, nil
}

func attr(n *html.Node, key string) string {
	for _, a := range n.Attr {
		if a.Key == key {
			return a.Val
		}
	}
	return ""
}
