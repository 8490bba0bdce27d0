package sshshow

import "charm.land/ssh"

// PanicFor makes the sessions of user panic as their program is built.
func PanicFor(s *Server, user string) {
	s.beforeProgram = func(sess ssh.Session) {
		if sess.User() == user {
			panic("a session that cannot be built")
		}
	}
}
