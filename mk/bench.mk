# mk/bench.mk: the benchmark (lesson06_benchmark/) and its peers.
#
#   make bench        the benchmark (QUICK=1 a smoke run, FULL=1 big sizes); may install peers, gnuplot
#   make peers        the peers alone: other runtimes, the same workloads
#   make lesson06-compare  lesson 6, exercise 1: your executor against lesson 5 (TASK_NS=)

.PHONY: bench peers lesson06-compare

# The real programs (programs.c: the code every runtime shares; programs_pool.c
# and programs_setup.c: on the lessons' schedulers) go into bench and into
# their test, which the generic rule builds from programs_test.c.
PROGRAM_OBJS := $(addprefix $(BUILD)/obj/lesson06_benchmark/,programs.o programs_pool.o \
        programs_setup.o)
$(BUILD)/tests/lesson06_benchmark/programs: $(PROGRAM_OBJS)

$(BENCH): $(addprefix $(BUILD)/obj/lesson06_benchmark/,bench.o options.o wakeup.o \
        report.o reference.o plot_data.o workloads.o programs_bench.o) $(PROGRAM_OBJS) $(LIB)
	@$(if $(Q),echo "  LINK    $@")
	$(Q)$(CC) $(CFLAGS) $(LDFLAGS) $^ $(LDLIBS) -o $@

# The benchmark prints the flags it was built with.
$(BUILD)/obj/lesson06_benchmark/bench.o: override CPPFLAGS += -DBENCH_CFLAGS='"$(filter -O% -march=% -fsanitize=%,$(CFLAGS))"'

# Lesson 6, exercise 1: your single-threaded executor (exercises/single_thread.c)
# against lesson 5's pool of 4 workers on 10,000 tasks, tasks per second for
# each; TASK_NS=1000 makes every task spin 1000 ns first.
COMPARE := $(BUILD)/exercises/lesson06_benchmark/compare
$(COMPARE): $(BUILD)/obj/lesson06_benchmark/exercises/compare.o \
        $(BUILD)/obj/lesson06_benchmark/exercises/single_thread.o $(LIB)
	@mkdir -p $(@D)
	@$(if $(Q),echo "  LINK    $@")
	$(Q)$(CC) $(CFLAGS) $(LDFLAGS) $^ $(LDLIBS) -o $@

lesson06-compare: $(COMPARE)
	$(Q)$(COMPARE) $(TASK_NS)

# The peers: the same workloads on runtimes people use instead, each a
# program of its own (lesson06_benchmark/peers/peer.h).  Built by the
# compilers that have them; a peer that cannot be built is left out, and
# `make bench` says how to get it.  The rayon, crossbeam and Go peers are
# in mk/peers-rust-go.mk.
PEERS := $(BUILD)/peers
PEER_DIR := lesson06_benchmark/peers
PEER_BINS := $(PEERS)/peer-libgomp $(PEERS)/peer-libomp $(PEERS)/peer-onetbb
PEER_CFLAGS := -std=c11 -O2 -Wall -Wextra -Werror -D_GNU_SOURCE -Icommon
PROGRAMS_H := lesson06_benchmark/programs.h

# What every C and C++ peer links besides its runtime's file, built once, by
# gcc: peer_main.c, and the real programs' shared code, so that every one of
# them runs the same serial code (libomp's peer included, built by clang).
PEER_COMMON := $(PEERS)/peer_main.o $(PEERS)/programs.o
$(PEERS)/peer_main.o: $(PEER_DIR)/peer_main.c $(PEER_DIR)/peer.h $(PROGRAMS_H) common/clock.h
	@mkdir -p $(@D)
	$(Q)gcc $(PEER_CFLAGS) -c $< -o $@
$(PEERS)/programs.o: lesson06_benchmark/programs.c $(PROGRAMS_H)
	@mkdir -p $(@D)
	$(Q)gcc $(PEER_CFLAGS) -c $< -o $@

# Each peer's recipe first removes the old binary: a failed build must not
# leave last time's peer for bench to time.
$(PEERS)/peer-libgomp: $(PEER_DIR)/omp_peer.c $(PEER_DIR)/peer.h $(PROGRAMS_H) $(PEER_COMMON)
	@rm -f $@
	$(Q)gcc $(PEER_CFLAGS) -fopenmp $< $(PEER_COMMON) -o $@

$(PEERS)/peer-libomp: $(PEER_DIR)/omp_peer.c $(PEER_DIR)/peer.h $(PROGRAMS_H) $(PEER_COMMON)
	@rm -f $@
	$(Q)clang $(PEER_CFLAGS) -fopenmp=libomp $< $(PEER_COMMON) -o $@

$(PEERS)/peer-onetbb: $(PEER_DIR)/tbb_peer.cpp $(PEER_DIR)/peer.h $(PROGRAMS_H) $(PEER_COMMON)
	@rm -f $@
	$(Q)g++ -std=c++17 -O2 -Wall -Wextra -Werror -Icommon $< $(PEER_COMMON) -ltbb -pthread -o $@

peers:
	-$(Q)sh common/scripts/deps.sh tbb omp
	@mkdir -p $(PEERS)
	-$(Q)$(MAKE) --no-print-directory -k $(PEER_BINS) >$(PEERS)/build.log 2>&1
	@[ -x $(PEERS)/peer-libgomp ] || echo "bench: no OpenMP peer (gcc -fopenmp failed: $(PEERS)/build.log)"
	@[ -x $(PEERS)/peer-libomp ] || echo "bench: no LLVM libomp peer; for it:  sudo apt-get install clang libomp-dev"
	@[ -x $(PEERS)/peer-onetbb ] || echo "bench: no oneTBB peer; for it:  sudo apt-get install g++ libtbb-dev"
	$(Q)$(MAKE) --no-print-directory peers-rust-go

# QUICK=1: a smoke run (CI uses it); FULL=1: the big sizes as well.
# bench writes runs.csv, summary.csv, bench.txt and the plot data into
# BENCH_OUT; gnuplot draws lesson06_benchmark/plot.gp's PNGs there.
ifneq ($(filter-out 1,$(QUICK) $(FULL)),)
$(error QUICK and FULL take 1 or nothing, as in: make bench QUICK=1)
endif
ifeq ($(QUICK),1)
BENCH_SIZE := --reps 3 --idle 0.2 --wakeups 100 --fib 25 --nqueens 12 --sort 1000000 --reduce 1000000
else ifeq ($(FULL),1)
BENCH_SIZE := --tasks 1000000 --tree-depth 20 --fib 32 --reps 11
endif
BENCH_OUT ?= lesson06_benchmark/results/latest

bench: $(BENCH) peers
	@mkdir -p $(BENCH_OUT)
	$(Q)BENCH_COMMIT="$$(git describe --always --dirty 2>/dev/null)" \
	    $(BENCH) --peers $(PEERS) --out $(BENCH_OUT) $(BENCH_SIZE) $(BENCH_ARGS)
	$(Q)if sh common/scripts/deps.sh gnuplot; then \
	    gnuplot -e "dir='$(BENCH_OUT)'" lesson06_benchmark/plot.gp && \
	    echo "plots: $(BENCH_OUT)/*.png"; \
	else \
	    echo "bench: the table and CSV are above; the plots need gnuplot (see the line above)"; \
	fi
