# Convenience targets; the scripts are the source of truth (see README.md).
.PHONY: help bootstrap main-job test test-fast ruff unit sanity lint integration devcloud-up devcloud-down clean

help:
	@echo "make main-job      - ./scripts/main-job (bootstrap + example plan)"
	@echo "make test          - ./scripts/test (every stage, as CI)"
	@echo "make test-fast     - every stage but integration"
	@echo "make ruff|unit|sanity|lint|integration - one stage of ./scripts/test"
	@echo "make devcloud-up / devcloud-down - start / stop the local OpenStack"
	@echo "make clean         - remove .build (virtualenv .venv is kept)"

bootstrap:
	./scripts/bootstrap

main-job:
	./scripts/main-job

test:
	./scripts/test

test-fast:
	HEATLIKE_SKIP_INTEGRATION=1 ./scripts/test

ruff unit sanity lint integration:
	./scripts/test $@

devcloud-up:
	./scripts/devcloud up

devcloud-down:
	./scripts/devcloud down

clean:
	rm -rf .build tests/output .pytest_cache .ruff_cache
