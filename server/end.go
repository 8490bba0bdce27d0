package server

// End ends the show for good: it closes every WebSocket with
// protocol.CloseShowEnded, which tells clients not to come back, answers
// later upgrade requests with HTTP 410 Gone, and waits for every connection
// goroutine to end, as Close does. Close, or the end of Serve's context,
// says the server is restarting instead (protocol.CloseGoingAway), and
// clients reconnect. To end a show run by Serve, call End before cancelling
// Serve's context; once the server is closed, End changes nothing.
func (s *Server) End() {
	s.closeSockets(true)
	s.hub.wait()
	s.wg.Wait()
}
