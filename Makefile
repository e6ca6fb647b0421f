# The usual entry points; each is one of the scripts in scripts/ (which install what is missing).
# make run ARGS="--no-tor"   make test ARGS="-L unit"   make demo SCENARIO=tests/testbed/scenarios/small.yaml
.PHONY: all build run test demo fuzz deploy-check clean help
BUILD ?= build

all: build

help:
	@echo "make build         configure and build everything into $(BUILD)/ (scripts/build.sh)"
	@echo "make run           the main job: observatory local over the public servers (scripts/run.sh)"
	@echo "make test          install test peers, build, run every test (scripts/test.sh; CI runs this)"
	@echo "make demo          the whole observatory on the testbed, as root (scripts/demo.sh)"
	@echo "make fuzz          every fuzz target for FUZZ_SECONDS each (tests/fuzz/run_fuzz.sh)"
	@echo "make deploy-check  the image, chart, Terraform and dashboard checks (ctest -L deploy)"
	@echo "ARGS=... passes arguments on (run: to observatory local; test: to ctest)"

build:
	./scripts/build.sh $(BUILD)

run:
	./scripts/run.sh $(ARGS)

test:
	./scripts/test.sh $(ARGS)

demo:
	./scripts/demo.sh $(SCENARIO)

fuzz:
	./scripts/test.sh -L fuzz $(ARGS)

deploy-check:
	./scripts/test.sh -L deploy $(ARGS)

clean:
	rm -rf $(BUILD)
