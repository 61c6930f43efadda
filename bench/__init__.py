"""Benchmarks against real Neo4j (see README.md); run as scripts."""
