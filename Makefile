# Lianxin 连心 — the commands a newcomer needs. `make run` and `make test` install what they need.
SHELL := /bin/bash
UV := $(shell command -v uv 2>/dev/null || echo "python3 -m uv")

# Test files run in parallel, a worker a core and one more (at most 4: some tests mostly wait,
# on a fuzzer's time box or a restart), each worker with a PostgreSQL, a NATS and a platform of
# its own; one worker when the environment names the NATS server (the tests delete and declare
# its streams, which workers sharing it would do under each other's feet). Bytecode is written
# (the machine's PYTHONDONTWRITEBYTECODE is lifted): every service process the tests start would
# otherwise compile its imports again.
TEST_WORKERS ?= $(if $(TEST_NATS_URL)$(NATS_URL),1,$(shell n=$$(nproc); echo $$((n < 4 ? n + 1 : 4))))

.PHONY: run test test-unit screenshots fuzz faults lint format contracts demo dept-sim bench uv sync

run: sync ## the platform with the demo alliance on embedded PostgreSQL and NATS (CLUSTER=1: three NATS nodes, two replicas each)
	$(UV) run lianxin up $(if $(CLUSTER),--cluster)

test: sync ## lint, then every test (unit, integration, e2e) against real PostgreSQL and NATS
	$(UV) run ruff check .
	$(UV) run ruff format --check .
	env -u PYTHONDONTWRITEBYTECODE $(UV) run pytest -n $(TEST_WORKERS) --maxprocesses 4 --dist loadfile --no-loadscope-reorder

test-unit: sync ## the unit tests alone: pure domain code, no database, NATS or platform (~20 s)
	env -u PYTHONDONTWRITEBYTECODE $(UV) run pytest -m unit -q -p no:schemathesis --hypothesis-profile=quick

screenshots: sync ## the browser tests, writing the console's pictures in docs/screenshots (~4 min)
	LIANXIN_SCREENSHOTS=1 env -u PYTHONDONTWRITEBYTECODE $(UV) run pytest tests/browser -q \
	  -n $(TEST_WORKERS) --maxprocesses 4 --dist loadfile

fuzz: sync ## schemathesis over every service's OpenAPI, then statefully through its links (~7 min)
	FUZZ_SECONDS=$${FUZZ_SECONDS:-50} FUZZ_STATEFUL_SECONDS=$${FUZZ_STATEFUL_SECONDS:-30} \
	  FUZZ_EXAMPLES=$${FUZZ_EXAMPLES:-30} $(UV) run pytest tests/e2e/test_fuzz.py -q

faults: sync ## whistle loops through kill -9, pauses, outages, poison, replicas on a throwaway platform (~15 min)
	$(UV) run lianxin faults --out $${FAULTS_OUT:-.lianxin/faults} $(FAULTS_ARGS)

lint: sync
	$(UV) run ruff check .
	$(UV) run ruff format --check .

format: sync
	$(UV) run ruff format .
	$(UV) run ruff check --fix .

contracts: sync ## regenerate docs/contracts (JSON Schemas, AsyncAPI) from the contracts
	$(UV) run python -m lianxin.contracts.schemas

demo: sync ## load the demo alliance into a running platform
	$(UV) run lianxin demo

dept-sim: sync ## play the power supply company's system against a running platform
	$(UV) run lianxin dept-sim --department power_supply

bench: sync ## loops/s and latency of the whistle loop on a throwaway platform, and its ceiling
	$(UV) run lianxin bench

sync: uv
	$(UV) sync --frozen

uv: # uv itself, from PyPI, when the machine has none
	@command -v uv >/dev/null || python3 -m uv --version >/dev/null 2>&1 \
	  || python3 -m pip install --quiet uv \
	  || python3 -m pip install --quiet --user --break-system-packages uv
