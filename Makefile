.PHONY: setup test lint format demo serve services-start services-stop bench

setup:            ## everything the tests and the service need (Debian 12)
	bash scripts/setup.sh

test:             ## the full test suite on real Neo4j and Redis (the README's test command)
	bash scripts/test.sh

lint:
	ruff check . && ruff format --check . && mypy

format:
	ruff format . && ruff check --fix .

demo:             ## a synthetic network on the embedded store, cascaded, then served
	tiergraph demo

serve:            ## the API on the configured store (the embedded one in ./.tiergraph by default)
	tiergraph serve

services-start:
	bash scripts/services.sh start

services-stop:
	bash scripts/services.sh stop

bench:            ## load and cascade benchmarks on real Neo4j (prints figures)
	bash scripts/bench.sh
