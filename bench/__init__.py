"""Benchmarks of the site (not part of the test suite); run bench/run.py or bench/render.py."""
