// Package live is what every screen of a live show shares: the session it
// runs on (Session, started and closed by Run, never by the screen), the
// one bridge from the session into the program (Wait, which also decides
// how bursts are batched: see MaxBatch), and the connection's state as a
// header says it (State, Status, Countdown).
package live
