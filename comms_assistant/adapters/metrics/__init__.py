"""Prometheus metrics (prometheus-client): counters kept by each process, and gauges of the
shared outbox read from the database at each scrape. docs/monitoring.md lists them."""
