// Package live is the core every screen of a live show is built on: the
// viewer (ui/viewer) and the host dashboard (ui/host) each embed one Core
// by value and keep only what is theirs, their keys, their panels and
// their reactions.
//
// Who owns what:
//
//   - Run owns the session: it starts it under the program's context
//     before the first frame, hands it to the screen (App.Screen), and
//     closes it once the program has exited. A screen never starts or
//     closes its session (the dashboard may hang up early: HangUp).
//   - Wait is the one bridge from the session into the program, re-armed
//     once per message; it owns how bursts are batched (bridge.go).
//   - Core owns the link (Link: state, attempt, retry time, error), the
//     show's clock (ticking only while something counts down), the mirror
//     of the show (Show), the status line (Status: one rule for how long a
//     message stays), the spinner, the styles and the window's size.
//     Core.Update takes the messages every screen answers alike; Apply
//     applies one session update and says what it meant (Outcome), and
//     ApplyEvent one show event, for the screen to react.
//   - Keys are the keys every screen has (retry, help, quit).
//
// Update stays pure: the clock moves only with the time a message carries,
// and timers carry a generation so a stale one changes nothing.
package live
