// Package uitest is the test harness both screens share: a fake session,
// a clock the test fires by hand, a driver that runs a model the way the
// program does (with the commands it returns, or in goroutines against a
// real server), key presses by name, golden files, and the check that a
// frame fits its screen with the sizes a resize storm goes through.
package uitest
