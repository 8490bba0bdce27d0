package checkout

import (
	"errors"
	"testing"
)

// env returns a getenv that knows only vars.
func env(vars map[string]string) func(string) string {
	return func(k string) string { return vars[k] }
}

func TestBrowserOpen(t *testing.T) {
	const good = "http://127.0.0.1:7420/cart/v1:1"
	display := map[string]string{"DISPLAY": ":0"}
	wayland := map[string]string{"WAYLAND_DISPLAY": "wayland-0"}
	cases := []struct {
		name   string
		goos   string
		env    map[string]string
		url    string
		opened bool
		want   error
	}{
		{"linux with DISPLAY", "linux", display, good, true, nil},
		{"linux with Wayland", "linux", wayland, good, true, nil},
		{"headless linux", "linux", nil, good, false, ErrNoBrowser},
		{"headless freebsd", "freebsd", nil, good, false, ErrNoBrowser},
		{"darwin needs no DISPLAY", "darwin", nil, good, true, nil},
		{"windows needs no DISPLAY", "windows", nil, good, true, nil},
		{"javascript refused", "linux", display, "javascript:alert(1)", false, ErrUnsafeURL},
		{"file refused", "darwin", nil, "file:///etc/passwd", false, ErrUnsafeURL},
		{"remote http refused", "linux", display, "http://example.com/", false, ErrUnsafeURL},
		{"escape sequence refused", "linux", display, "https://shop.example/\x1b]2;x\x07", false, ErrUnsafeURL},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			var got []string
			b := newBrowser(tc.goos, env(tc.env), func(u string) error {
				got = append(got, u)
				return nil
			})
			err := b.Open(tc.url)
			if !errors.Is(err, tc.want) {
				t.Fatalf("Open = %v, want %v", err, tc.want)
			}
			if tc.opened && (len(got) != 1 || got[0] != tc.url) {
				t.Fatalf("opened %q, want exactly %q", got, tc.url)
			}
			if !tc.opened && len(got) != 0 {
				t.Fatalf("opened %q, want nothing run", got)
			}
		})
	}
}

func TestBrowserOpenError(t *testing.T) {
	boom := errors.New("xdg-open: exit status 3")
	b := newBrowser("linux", env(map[string]string{"DISPLAY": ":0"}), func(string) error { return boom })
	if err := b.Open("https://shop.example/"); !errors.Is(err, boom) {
		t.Fatalf("Open = %v, want it to wrap %v", err, boom)
	}
}

func TestOpenerFunc(t *testing.T) {
	var got string
	var o Opener = OpenerFunc(func(u string) error { got = u; return nil })
	if err := o.Open("https://shop.example/"); err != nil || got != "https://shop.example/" {
		t.Fatalf("OpenerFunc.Open: got %q, %v", got, err)
	}
}
