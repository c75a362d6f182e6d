package store

// widgetQueries are the queries of on-site widgets: their definitions,
// their statistics, and the state /decide keeps warm.
type widgetQueries struct{}
