"""Benchmarks anyone can rerun: ``make bench``."""
