// Package ui is livecart's terminal interface. Only the packages under it
// import bubbletea, bubbles and lipgloss (and, outside the binary, the
// load tool bench/tuistorm); TestOnlyUIImportsCharm holds the rule. The
// package holds no code of its own: this is the map.
//
//   - live/ is the core of a screen: the session's runner (Run), the one
//     bridge from the session into the program and its batching (Wait),
//     and Core, embedded by value in each screen: the link, the show's
//     clock, the mirror of the show, the status line, the spinner, the
//     styles and the size.
//   - viewer/ is the viewer's screen, host/ the host dashboard. Each keeps
//     only what is its own: its keys, its panels and its reactions to what
//     the core reports.
//   - chat/ is the chat pane both screens draw (the dashboard turns on
//     selection, for moderation); theme/ is the palette.
//   - sshshow/ serves the viewer's screen to SSH sessions (serve --ssh):
//     one program per session, each an ordinary viewer of the show over
//     a loopback WebSocket, known by its SSH key.
//   - headless/ runs the viewer in a real program with no terminal, counted,
//     for the load tool bench/tuistorm.
//   - internal/uitest is the test harness both screens share.
//
// How a chat line reaches the screen: the server sends it in a batch, one
// WebSocket frame; client.Conn's read loop decodes the frame, and
// client.Session hands it on, with whatever else is queued, as one
// client.Update. The bridge (live.Wait) takes the updates waiting, at most
// once a frame, as one live.UpdatesMsg; the program passes it to the
// screen's Update, which hands it to its Core. The core applies each
// update (live.Core.Apply) and, for events, the screen applies each one to
// the mirror (live.Core.ApplyEvent) and routes what changed: a new line
// goes to its chat.Model, which styles and wraps it once. The program then
// draws one frame: the screen's View lays out its panels, the chat pane's
// rows among them.
package ui
