"""Capacity: the AKS autoscale formula, queueing views, the autoscaler simulator, load traces, latency."""
