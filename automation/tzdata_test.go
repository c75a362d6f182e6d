package automation

// The time-zone tests must run everywhere, CI images without a system
// zoneinfo included: embed Go's copy in the test binary.
import _ "time/tzdata"
