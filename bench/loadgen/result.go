package main

// result is the JSON line one run prints. The embedded pointers add the
// fields of the scenarios that fill them and are left out otherwise.
type result struct {
	Scenario       string  `json:"scenario"`
	Target         string  `json:"target"`
	Viewers        int     `json:"viewers"`
	ViewersUp      int     `json:"viewers_connected"`
	Publishers     int     `json:"publishers"`
	Rate           float64 `json:"rate"`
	DurationS      float64 `json:"duration_s"`
	Offered        int64   `json:"offered"`
	PublishErrors  int64   `json:"publish_errors"`
	Expected       int64   `json:"expected_deliveries"`
	Delivered      int64   `json:"delivered"`
	DeliveredRatio float64 `json:"delivered_ratio"`
	P50ms          float64 `json:"p50_ms"`
	P99ms          float64 `json:"p99_ms"`
	P999ms         float64 `json:"p999_ms"`
	MaxMs          float64 `json:"max_ms"`
	ServerCPUPct   float64 `json:"server_cpu_pct"`
	GenCPUPct      float64 `json:"gen_cpu_pct"`
	// MachineCPUPct is every process's CPU (/proc/stat) over the same
	// window; OtherCPUPct what neither the server nor loadgen used. The
	// machine is shared, so a busy neighbour shows up here.
	MachineCPUPct   float64 `json:"machine_cpu_pct"`
	OtherCPUPct     float64 `json:"other_cpu_pct"`
	ServerRSSKB     int64   `json:"server_rss_kb"`
	ServerRSSBefore int64   `json:"server_rss_before_kb"`
	KBPerConn       float64 `json:"kb_per_conn"`
	GenRSSKB        int64   `json:"gen_rss_kb"`
	ConnectRate     float64 `json:"connect_rate"`
	ConnectFailures int     `json:"connect_failures"`
	ConnectP50ms    float64 `json:"connect_p50_ms"`
	ConnectP99ms    float64 `json:"connect_p99_ms"`
	ViewerDrops     int64   `json:"viewer_drops"`
	// CPUBound is set when server + generator CPU, or the whole
	// machine's, passed saturatedCPUPct.
	// In the connect scenario it does not make the run saturated: a
	// connect storm is CPU-bound by design.
	CPUBound  bool   `json:"cpu_bound"`
	Saturated bool   `json:"saturated"`
	Notes     string `json:"notes,omitempty"`
	// URLs is how many URLs the viewers were spread over (viewer i on
	// URL i mod URLs); PubURL where publishers and the host connected.
	URLs   int    `json:"urls"`
	PubURL string `json:"pub_url,omitempty"`
	// Servers is each -server-pid apart (server_cpu_pct is their sum),
	// over the same window; CPUWindowS is that window.
	Servers    []ProcStat `json:"servers,omitempty"`
	CPUWindowS float64    `json:"cpu_window_s,omitempty"`
	// CPUusPerDelivery is the servers' CPU over the publishing window, in
	// µs, per chat line delivered to a viewer: the cost of one event from
	// publisher to viewer, every server process included.
	CPUusPerDelivery float64 `json:"server_cpu_us_per_delivery,omitempty"`

	*MustStats
	*ChatRate
	*RSSTrend
	*Failover
}

// ProcStat is one server process's CPU (100 = one core) over the run's
// window and its RSS at the end; Gone when it could not be read at one
// end of the window (it exited or was killed).
type ProcStat struct {
	Name   string  `json:"name"`
	PID    int     `json:"pid"`
	CPUPct float64 `json:"cpu_pct"`
	RSSKB  int64   `json:"rss_kb"`
	Gone   bool    `json:"gone,omitempty"`
}

// MustStats is what the pinning host's events did: pins and price changes
// that every viewer must get (pin and storm scenarios).
type MustStats struct {
	Pins              int64   `json:"pins"`
	PinDelivered      int64   `json:"pin_delivered"`
	PinDeliveredRatio float64 `json:"pin_delivered_ratio"`
	PinP50ms          float64 `json:"pin_p50_ms"`
	PinP99ms          float64 `json:"pin_p99_ms"`
	PinMaxMs          float64 `json:"pin_max_ms"`
	Prices            int64   `json:"prices"`
	PriceDelivered    int64   `json:"price_delivered"`
	PriceDeliveredRat float64 `json:"price_delivered_ratio"`
	PriceP99ms        float64 `json:"price_p99_ms"`
	PriceMaxMs        float64 `json:"price_max_ms"`
	HostErrors        int64   `json:"host_errors"`
	// Unmatched counts pin or product events a viewer got whose seq the
	// host never saw echoed: events not caused by this run's host, such
	// as the pins of the scripted host bot `livecart serve` runs.
	Unmatched int64 `json:"must_unmatched"`
}

// ChatRate is the chat each viewer got, in stamped lines per second: its
// mean over the publishing window, and its busiest whole second.
type ChatRate struct {
	PerViewerMean float64 `json:"chat_per_viewer_mean"`
	PerViewerMin  float64 `json:"chat_per_viewer_min"`
	PerViewerMax  float64 `json:"chat_per_viewer_max"`
	PeakSecond    int64   `json:"chat_peak_1s"`
}

// RSSTrend is the server's RSS over the publishing window, sampled every
// rssEvery, and its least-squares slope over the window's second half.
type RSSTrend struct {
	FirstKB  int64   `json:"rss_first_kb"`
	LastKB   int64   `json:"rss_last_kb"`
	MaxKB    int64   `json:"rss_max_kb"`
	SlopeKBs float64 `json:"rss_slope_kb_per_s"`
	Samples  int     `json:"rss_samples"`
}
