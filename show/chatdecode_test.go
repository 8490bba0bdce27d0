package show

import (
	"encoding/json"
	"testing"
	"time"

	"github.com/livecart/livecart/protocol"
)

// chatSeeds are chat payloads in and around the layout scanChat reads.
var chatSeeds = []string{
	`{"id":"c1","author":{"id":"u1","name":"ana","role":"viewer"},"text":"hi 🍵"}`,
	` { "text" : "order", "author" : { "role":"host", "name":"Maya", "id":"maya" } , "id" : "c2" } `,
	"{\"id\":\"c3\",\r\n\t\"author\":{\"id\":\"u\",\"name\":\"n\",\"role\":\"viewer\"},\"text\":\"x\"}",
	`{"id":"c4","author":{"id":"u1","name":"ana","role":"viewer"},"text":"esc\u001b[2J"}`,
	`{"id":"c5","author":{"id":"u1","name":"ana","role":"viewer"},"text":"quote \" inside"}`,
	`{"id":"c6","author":{"id":"u1","name":"ana","role":"viewer"},"text":"hi","extra":1}`,
	`{"ID":"c7","author":{"id":"u1","name":"ana","role":"viewer"},"text":"hi"}`,
	`{"id":"c8","id":"c9","author":{"id":"u1","name":"ana","role":"viewer"},"text":"hi"}`,
	`{"id":"c10","author":null,"text":"hi"}`,
	`{"id":"c11","author":{"id":"u1","name":"ana","role":"viewer"},"text":"hi"} x`,
	`{"id":"c12","author":{"id":"u1","name":"ana","role":"viewer"},"text":"bad \xff utf8"}`,
	`{"id":"c13","author":{"id":"u1","name":"ana","role":"admin"},"text":"hi"}`,
	`{"id":"","author":{"id":"u1","name":"","role":"viewer"},"text":""}`,
	`{}`, ``, `[]`, `{"id":1}`, `{"id":"a",}`, `{"id":"a"`, `{"text":"a\nb"}`,
}

// FuzzChatFastPath: whatever scanChat accepts, encoding/json accepts too
// and decodes to the same Chat; and decodeChat always agrees with
// protocol.Decode, value and error.
func FuzzChatFastPath(f *testing.F) {
	for _, s := range chatSeeds {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		if c, ok := scanChat(data); ok {
			var want protocol.Chat
			if err := json.Unmarshal(data, &want); err != nil {
				t.Fatalf("scanChat read %q, encoding/json refuses it: %v", data, err)
			}
			if c != want {
				t.Fatalf("scanChat(%q) = %+v, encoding/json %+v", data, c, want)
			}
		}
		env := protocol.Envelope{Type: protocol.TypeChat, Seq: 1, Data: data}
		got, gotErr := decodeChat(env)
		want, wantErr := protocol.Decode[protocol.Chat](env)
		if (gotErr == nil) != (wantErr == nil) || (gotErr != nil && gotErr.Error() != wantErr.Error()) {
			t.Fatalf("decodeChat(%q) error %v, protocol.Decode %v", data, gotErr, wantErr)
		}
		if gotErr == nil && got != want {
			t.Fatalf("decodeChat(%q) = %+v, protocol.Decode %+v", data, got, want)
		}
	})
}

// TestChatFastPathTaken: what the server writes is read without
// encoding/json; otherwise the fast path would be dead code passing every
// test.
func TestChatFastPathTaken(t *testing.T) {
	raw, err := protocol.Encode(protocol.TypeChat, 7, time.Now(), protocol.Chat{
		ID: "c1", Author: protocol.Identity{ID: "u1", Name: "ana", Role: protocol.RoleViewer}, Text: "is it 🍵-safe?",
	})
	if err != nil {
		t.Fatal(err)
	}
	envs, err := protocol.DecodeFrame(raw)
	if err != nil {
		t.Fatal(err)
	}
	c, ok := scanChat(envs[0].Data)
	if !ok {
		t.Fatalf("scanChat refused the server's own encoding %s", envs[0].Data)
	}
	if c.Text != "is it 🍵-safe?" || c.Author.Name != "ana" || c.Author.Role != protocol.RoleViewer {
		t.Errorf("scanChat = %+v", c)
	}
}
