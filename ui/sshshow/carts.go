package sshshow

import (
	"github.com/livecart/livecart/cart"
	"github.com/livecart/livecart/ui/viewer"
)

// keyCarts keeps the carts of one public key, one file per show, in the
// server's cart store: the viewer's own cart files, under a name that
// starts with the key's fingerprint.
type keyCarts struct {
	files       viewer.CartFiles
	fingerprint string
}

// Open locks and opens the cart of show for this key. A second session
// with the same key finds it locked and works unsaved, as a second
// livecart on one machine does.
func (k keyCarts) Open(show string) (viewer.CartFile, error) {
	return k.files.Open(k.fingerprint + " " + show)
}

// cartsFor is the cart store of a session: per key, or none for a session
// without one, whose cart lasts as long as the session.
func cartsFor(store cart.Store, id identity) viewer.CartStore {
	if id.fingerprint == "" {
		return nil
	}
	return keyCarts{files: viewer.CartFiles{Store: store}, fingerprint: id.fingerprint}
}
