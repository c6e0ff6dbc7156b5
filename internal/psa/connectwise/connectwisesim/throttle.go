package connectwisesim

// tenant is the rate limit's one key: with Options.RateLimit set, every
// API request of the tenant counts against one rolling window.
// ConnectWise documents no numeric limit, so the window is off by default.
const tenant = ""
