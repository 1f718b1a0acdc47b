# netprov.dockernet: the two commands are `make demo` and `make test`.
SHELL := /bin/bash
.PHONY: test test-matrix cores demo demo-clean unit integration sanity bootstrap engine-start engine-stop engines engines-stop test-kernel docs docs-lint changelog units-ansible-test molecule lint soak fuzz

test:
	scripts/test.sh

# The engine tier on the other engines of the matrix (NETPROV_ENGINES, default 26.1), the smoke tier on
# every ansible-core of the support matrix and sanity on the lowest and the highest, and the fault sweep's
# pairs of faults; scripts/test.sh.
test-matrix:
	scripts/test.sh matrix

# The ansible-core support matrix alone (scripts/cores.sh): unit tests and the smoke tier on every leg.
cores: bootstrap
	scripts/cores.sh unit all && scripts/cores.sh smoke all

demo:
	scripts/demo.sh

demo-clean:
	scripts/demo.sh clean

bootstrap:
	scripts/bootstrap.sh

unit: bootstrap
	source scripts/env.sh && .venv/bin/python -m pytest -q tests/unit

integration: bootstrap
	source scripts/env.sh && scripts/engine.sh start && scripts/test-image.sh && .venv/bin/python -m pytest -q tests/integration

# The kernel tier alone, slow guest tests included (tests/uml/README.md).
test-kernel: bootstrap
	source scripts/env.sh && scripts/engine.sh start && scripts/test-image.sh && NETPROV_UML_SLOW=1 .venv/bin/python -m pytest -q -rA -p no:cacheprovider tests/integration/test_uml_kernel.py

sanity: bootstrap
	scripts/sanity.sh

engine-start:
	scripts/engine.sh start

engine-stop:
	scripts/engine.sh stop

# Docker Engine 26.1 and 28.5 beside the system's, one network namespace each (scripts/engines.py).
engines:
	scripts/engines.sh start all

engines-stop:
	scripts/engines.sh stop all

# The docs site (HTML under docs/build/html) and the docs lint, from .venv-docs.
docs:
	scripts/docs.sh

docs-lint:
	scripts/docs-lint.sh

# CHANGELOG.md and changelogs/changelog.yaml from the fragments (scripts/changelog.sh).
changelog:
	scripts/changelog.sh

# tests/unit through ansible-test units, on a copy of the collection (scripts/units.sh).
units-ansible-test: bootstrap
	scripts/units.sh

# Molecule scenarios on the fleet image (default: one host; fleet: three, a swarm).
molecule:
	scripts/molecule.sh

# ansible-lint, production profile, on roles/, playbooks/ and molecule/.
lint:
	scripts/lint.sh

# Check mode == real run, thousands of generated examples; then the fault sweep with pairs of faults, which
# regenerates its figures in docs/reliability.md (scripts/fault-sweep.sh).
SOAK_EXAMPLES ?= 2000
soak: bootstrap
	source scripts/env.sh && scripts/engine.sh start && scripts/test-image.sh && NETPROV_PROPERTY_EXAMPLES=$(SOAK_EXAMPLES) .venv/bin/python -m pytest -q -p no:cacheprovider --hypothesis-show-statistics tests/integration/test_property_plan.py tests/integration/test_property_host_link.py
	scripts/fault-sweep.sh --pairs

# Every module's arguments fuzzed in-process against a scratch engine and namespace (not in `make test`).
FUZZ_CALLS ?= 10000
FUZZ_HOST_CALLS ?= 3000
fuzz: bootstrap
	source scripts/env.sh && scripts/engine.sh start && scripts/test-image.sh && NETPROV_FUZZ_CALLS=$(FUZZ_CALLS) NETPROV_FUZZ_HOST_CALLS=$(FUZZ_HOST_CALLS) .venv/bin/python -m pytest -q -p no:cacheprovider -W ignore tests/fuzz
