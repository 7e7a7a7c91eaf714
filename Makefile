# Xinyong - a thin Makefile over Meson and Ninja.
#
#   make run     install what is missing, build, create var/demo.db, serve on :8080
#   make test    install what is missing, build with ASan+UBSan (and TSan), run every test
#   make build   build build/xinyong
#   make fuzz    run every libFuzzer target (fuzz/) FUZZ_SECONDS seconds over a copy of its
#                corpus, in a clang build of its own; one target: make fuzz FUZZ_TARGETS=fuzz_csv
#   make soak    SOAK_SECONDS (600) of mixed load with a slowloris on a real server
#                (bench/soak/soak.py; not part of make test)
#   make bench   run the ingestion and lookup benchmarks on SQLite and PostgreSQL
#                (bench/README.md); a quick run: make bench SIZES=100000 BACKENDS=sqlite

BUILD      ?= build
TEST_BUILD ?= build-test
TSAN_BUILD ?= build-tsan
FUZZ_BUILD ?= build-fuzz
FUZZ_SECONDS ?= 300
FUZZ_TARGETS ?=
LISTEN     ?= 127.0.0.1:8080
DEMO_SUBJECTS ?= 3000
SIZES      ?= 1000000 10000000
BACKENDS   ?= sqlite postgresql
SOAK_SECONDS ?= 600

.PHONY: all build run test fuzz bench soak clean

all: build

build:
	@scripts/deps.sh build
	@[ -f $(BUILD)/build.ninja ] || meson setup $(BUILD) --buildtype=debugoptimized
	ninja -C $(BUILD)

run:
	@scripts/deps.sh run
	@$(MAKE) --no-print-directory build
	@mkdir -p var
	@if [ ! -f var/demo.db ]; then \
		echo "Creating var/demo.db with $(DEMO_SUBJECTS) demo subjects..."; \
		./$(BUILD)/xinyong demo --db var/demo.db --subjects $(DEMO_SUBJECTS) >/dev/null; \
	fi
	./$(BUILD)/xinyong serve --db var/demo.db --listen $(LISTEN) --web web

test:
	@scripts/deps.sh test
	@[ -f $(TEST_BUILD)/build.ninja ] || meson setup $(TEST_BUILD) --buildtype=debug \
		-Db_sanitize=address,undefined -Dc_args=-fno-sanitize-recover=all
	ninja -C $(TEST_BUILD)
	@[ -f $(TSAN_BUILD)/build.ninja ] || meson setup $(TSAN_BUILD) --buildtype=debug \
		-Db_sanitize=thread
	ninja -C $(TSAN_BUILD) xinyong
	FUZZ_BUILD=$(FUZZ_BUILD) tests/run_all.sh $(TEST_BUILD) $(TSAN_BUILD)

fuzz:
	@scripts/deps.sh fuzz
	fuzz/run.sh $(FUZZ_BUILD) $(FUZZ_SECONDS) $(FUZZ_TARGETS)

bench:
	@scripts/deps.sh bench
	@$(MAKE) --no-print-directory build
	BUILD=$(BUILD) SIZES="$(SIZES)" BACKENDS="$(BACKENDS)" bench/run.sh

soak:
	@scripts/deps.sh bench
	@$(MAKE) --no-print-directory build
	python3 bench/soak/soak.py $(BUILD) --seconds $(SOAK_SECONDS)

clean:
	rm -rf $(BUILD) $(TEST_BUILD) $(TSAN_BUILD) $(FUZZ_BUILD)
