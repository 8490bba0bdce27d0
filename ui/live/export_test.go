package live

// FrameInterval is frameInterval, for the tests of the bridge.
const FrameInterval = frameInterval
