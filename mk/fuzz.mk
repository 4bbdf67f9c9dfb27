# libFuzzer target over daemon/protocol.c (tests/fuzz/fuzz_protocol.c): the testing-message
# parser and the decision functions, with sequences of events, ack outcomes and state. clang with
# -fsanitize=fuzzer,address,undefined; json-c is built from $(CACHE)/json-c by clang with
# the same instrumentation, out of tree under $(OUT)/fuzz/. See docs/fuzzing.md.
#   make fuzz-smoke    FUZZ_SMOKE_SECONDS (45) on a fresh corpus; part of `make check`
#   make fuzz-long     FUZZ_LONG_SECONDS (3600), corpus kept in $(OUT)/fuzz/corpus
#   make fuzz-seeds    the seed corpus: every input of tests/unit + tests/fuzz/seeds/
# Crashes are written to $(OUT)/fuzz/artifacts/; replay one with
#   $(OUT)/fuzz/fuzz_protocol FILE

FUZZ_DIR      := $(OUT)/fuzz
FUZZ_BIN      := $(FUZZ_DIR)/fuzz_protocol
FUZZ_SEEDGEN  := $(FUZZ_DIR)/seedgen
FUZZ_SEED_DIR := $(FUZZ_DIR)/seeds
FUZZ_SEEDS    := $(FUZZ_SEED_DIR)/.done
FUZZ_JSONC    := $(FUZZ_DIR)/json-c
FUZZ_JSONC_A  := $(FUZZ_JSONC)/lib/libjson-c.a
FUZZ_SMOKE_SECONDS ?= 45
FUZZ_LONG_SECONDS  ?= 3600
# The machine is shared: fuzz at low priority, one process.
FUZZ_NICE ?= nice -n 10
FUZZ_SAN  := -fsanitize=address,undefined -fno-sanitize-recover=all -fno-omit-frame-pointer
FUZZ_CFLAGS := -std=c11 -D_GNU_SOURCE -g -O1 -Wall -Wextra -Werror $(FUZZ_SAN) \
	-I$(FUZZ_JSONC)/include -Idaemon
FUZZ_RUN_FLAGS := -max_len=4096 -timeout=10 -rss_limit_mb=2048 -print_final_stats=1 \
	-artifact_prefix=$(FUZZ_DIR)/artifacts/
FUZZ_JSONC_CMAKE := -DCMAKE_BUILD_TYPE=Debug -DBUILD_SHARED_LIBS=OFF -DBUILD_STATIC_LIBS=ON \
	-DDISABLE_EXTRA_LIBS=ON -DDISABLE_WERROR=ON -DBUILD_TESTING=OFF -DBUILD_APPS=OFF \
	-DCMAKE_INSTALL_LIBDIR=lib

.PHONY: check fuzz fuzz-seeds fuzz-smoke fuzz-long
check: fuzz-smoke
fuzz: $(FUZZ_BIN)
fuzz-seeds: $(FUZZ_SEEDS)

$(FUZZ_JSONC_A): $(CACHE)/json-c/.unpacked
	rm -rf $(FUZZ_DIR)/build-json-c $(FUZZ_JSONC)
	cmake -S $(CACHE)/json-c -B $(FUZZ_DIR)/build-json-c -DCMAKE_C_COMPILER=clang \
		"-DCMAKE_C_FLAGS=-g -O1 $(FUZZ_SAN) -fsanitize=fuzzer-no-link" \
		-DCMAKE_INSTALL_PREFIX=$(abspath $(FUZZ_JSONC)) $(FUZZ_JSONC_CMAKE) >/dev/null
	cmake --build $(FUZZ_DIR)/build-json-c --target json-c -j$(JOBS)
	cmake --install $(FUZZ_DIR)/build-json-c >/dev/null
	touch $@

$(FUZZ_BIN): tests/fuzz/fuzz_protocol.c daemon/protocol.c daemon/protocol.h $(FUZZ_JSONC_A)
	@mkdir -p $(@D)
	clang $(FUZZ_CFLAGS) -fsanitize=fuzzer -o $@ tests/fuzz/fuzz_protocol.c daemon/protocol.c \
		$(FUZZ_JSONC_A)

# The unit tests with their protocol calls redirected to seedgen.c's recorders.
$(FUZZ_SEEDGEN): tests/fuzz/seedgen.c tests/unit/test_protocol.c daemon/protocol.c \
		daemon/protocol.h $(FUZZ_JSONC_A)
	@mkdir -p $(@D)
	clang $(FUZZ_CFLAGS) -fsanitize=fuzzer-no-link -c -o $(FUZZ_DIR)/seedgen-test.o \
		-Dprotocol_parse_testing=seed_parse_testing -Dprotocol_decide=seed_decide \
		-Dprotocol_ack_refused=seed_ack_refused tests/unit/test_protocol.c
	clang $(FUZZ_CFLAGS) -fsanitize=fuzzer-no-link -o $@ tests/fuzz/seedgen.c \
		$(FUZZ_DIR)/seedgen-test.o daemon/protocol.c $(FUZZ_JSONC_A)

$(FUZZ_SEEDS): $(FUZZ_SEEDGEN) $(wildcard tests/fuzz/seeds/*)
	rm -rf $(FUZZ_SEED_DIR)
	mkdir -p $(FUZZ_SEED_DIR)
	@# The unit tests' verdicts are check-unit's business: only their inputs matter here.
	XTV_SEED_DIR=$(FUZZ_SEED_DIR) $(FUZZ_SEEDGEN) >/dev/null || \
		echo "fuzz-seeds: note: the unit tests reported failures (see make check-unit)"
	@test -n "$$(ls $(FUZZ_SEED_DIR))" || { echo "fuzz-seeds: no seeds generated" >&2; exit 1; }
	cp tests/fuzz/seeds/* $(FUZZ_SEED_DIR)/
	@echo "fuzz-seeds: $$(ls $(FUZZ_SEED_DIR) | wc -l) seeds in $(FUZZ_SEED_DIR)"
	touch $@

# Smoke: a fresh corpus each time, so the run is the same length of new work.
fuzz-smoke: $(FUZZ_BIN) $(FUZZ_SEEDS)
	rm -rf $(FUZZ_DIR)/corpus-smoke
	mkdir -p $(FUZZ_DIR)/corpus-smoke $(FUZZ_DIR)/artifacts
	$(FUZZ_NICE) $(FUZZ_BIN) $(FUZZ_RUN_FLAGS) -max_total_time=$(FUZZ_SMOKE_SECONDS) \
		$(FUZZ_DIR)/corpus-smoke $(FUZZ_SEED_DIR) 2>$(FUZZ_DIR)/fuzz-smoke.log || \
		{ tail -n 40 $(FUZZ_DIR)/fuzz-smoke.log >&2; exit 1; }
	@grep -E '^(Done|stat::number_of_executed_units|stat::new_units_added)' \
		$(FUZZ_DIR)/fuzz-smoke.log | sed 's/^/fuzz-smoke: /'

fuzz-long: $(FUZZ_BIN) $(FUZZ_SEEDS)
	mkdir -p $(FUZZ_DIR)/corpus $(FUZZ_DIR)/artifacts
	$(FUZZ_NICE) $(FUZZ_BIN) $(FUZZ_RUN_FLAGS) -max_total_time=$(FUZZ_LONG_SECONDS) \
		$(FUZZ_DIR)/corpus $(FUZZ_SEED_DIR) 2>$(FUZZ_DIR)/fuzz-long.log || \
		{ tail -n 40 $(FUZZ_DIR)/fuzz-long.log >&2; exit 1; }
	@grep -E '^(Done|stat::number_of_executed_units|stat::new_units_added)' \
		$(FUZZ_DIR)/fuzz-long.log | sed 's/^/fuzz-long: /'
