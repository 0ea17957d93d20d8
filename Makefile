# Makefile: builds every lesson, runs the tests and the benchmark.
#
#   make              build everything into build/
#   make test         every test suite, and the exercise tests against solutions/
#   make bench        the benchmark (lesson06_benchmark/); QUICK=1 for a smoke run,
#                     FULL=1 for the big sizes
#   make exercises    your exercises: passed, or not yet (LESSON=... for one lesson)
#   make tsan         the test suites under ThreadSanitizer        (build-tsan/)
#   make asan         the test suites under AddressSanitizer+UBSan (build-asan/)
#   make valgrind     the contract suite under valgrind's memcheck
#   make stress       every scheduler, randomised, for SECONDS (60) from SEED
#   make break        lesson 4's deque with one memory ordering removed at a time
#   make litmus       lesson 4's litmus tests: what loads can read, counted
#   make litmus-tsan  the message-passing one under ThreadSanitizer
#   make verify       spin models: lesson 4's litmus tests and deque, lesson 5's
#                     parking protocol, each as written and broken on purpose
#   make timeline     one lesson's trace drawn (LESSON=, WORKLOAD=); TRACING.md
#   make diff         what a lesson changed from the one before (LESSON=lesson05_parking)
#   make check-copies the regions marked "copied unchanged" still are
#   make clean
#
# LESSON=lesson01_shared_queue limits test and exercises to one lesson.
# CC=clang builds with clang into build-clang/ (objects never mix).
# V=1 shows the full compiler commands.

CFLAGS   ?= -O2 -g
CFLAGS   += -std=c11 -Wall -Wextra -Werror -pthread
CPPFLAGS += -D_GNU_SOURCE -Icommon
LDLIBS   += -pthread

# One build directory per compiler and sanitizer, so objects never mix.
COMPILER := $(if $(filter cc gcc,$(notdir $(CC))),,-$(notdir $(CC)))
SANITIZE ?=
ifeq ($(SANITIZE),)
BUILD ?= build$(COMPILER)
else ifeq ($(SANITIZE),thread)
BUILD ?= build-tsan$(COMPILER)
CFLAGS += -fsanitize=thread
LDFLAGS += -fsanitize=thread
else ifeq ($(SANITIZE),address)
BUILD ?= build-asan$(COMPILER)
CFLAGS += -fsanitize=address,undefined -fno-sanitize-recover=all -fno-omit-frame-pointer
LDFLAGS += -fsanitize=address,undefined
else
$(error SANITIZE must be thread, address or empty, not '$(SANITIZE)')
endif

ifeq ($(V),1)
Q :=
else
Q := @
endif

# ---- what there is to build ----

LESSONS := $(patsubst %/,%,$(sort $(wildcard lesson0[1-5]_*/)))
# Lessons with exercises: those with a scheduler, and lesson 6 (measuring),
# which has none, so the contract and fault suites never name it.
EXERCISE_LESSONS := $(LESSONS) lesson06_benchmark
ifneq ($(LESSON),)
ifeq ($(filter $(LESSON),$(EXERCISE_LESSONS)),)
$(error LESSON must be one of: $(EXERCISE_LESSONS); not '$(LESSON)')
endif
TEST_LESSONS := $(LESSON)
else
TEST_LESSONS := $(EXERCISE_LESSONS)
endif
# The contract and fault suites: for LESSON's scheduler, every scheduler
# when LESSON is empty, none when LESSON has no scheduler.
SCHED_SUITES = $(if $(filter-out $(LESSONS),$(LESSON)),,"$(CONTRACT) $(LESSON)" "$(FAULT) $(LESSON)")

# A lesson's scheduler is every .c file at the top of its directory but its tests.
SCHED_SRCS := common/registry.c $(foreach l,$(LESSONS),$(filter-out %_test.c,$(wildcard $(l)/*.c)))
LIB      := $(BUILD)/libsched.a
TESTLIB  := $(BUILD)/libtestutil.a

CONTRACT := $(BUILD)/tests/contract
# The error paths: malloc and friends, and pthread_create, wrapped at link
# time so that a test can make the k-th call fail (common/fault_test.c).
FAULT := $(BUILD)/tests/fault
WRAP := -Wl,--wrap=malloc -Wl,--wrap=calloc -Wl,--wrap=aligned_alloc -Wl,--wrap=pthread_create
# lessonNN/foo_test.c -> $(BUILD)/tests/lessonNN/foo
LESSON_TESTS := $(foreach l,$(TEST_LESSONS),\
    $(patsubst $(l)/%_test.c,$(BUILD)/tests/$(l)/%,$(wildcard $(l)/*_test.c)))
# lessonNN/exercises/foo_test.c tests exercise foo: exercises/foo.c (the starter)
# or solutions/foo.c.  -> $(BUILD)/exercises/lessonNN/foo-starter, -solution
EXERCISES := $(foreach l,$(TEST_LESSONS),\
    $(patsubst $(l)/exercises/%_test.c,$(BUILD)/exercises/$(l)/%,$(wildcard $(l)/exercises/*_test.c)))
SOLUTION_BINS := $(addsuffix -solution,$(EXERCISES))
STARTER_BINS  := $(addsuffix -starter,$(EXERCISES))
BENCH := $(BUILD)/bench

CHECK_CFLAGS = $(shell pkg-config --cflags check 2>/dev/null)
CHECK_LIBS   = $(shell pkg-config --libs check 2>/dev/null)

.PHONY: all build test tests-run bench peers stress break verify exercises exercises-run starters-fail \
        tsan asan valgrind deps clean help litmus litmus-tsan
.PHONY: trace timeline timeline-all trace-off-same

# Plain `make` installs nothing: without Check it builds what needs no Check
# and says what is missing (make test installs it).
all:
	$(Q)if pkg-config --exists check 2>/dev/null; then \
	    $(MAKE) --no-print-directory build; \
	else \
	    echo "make: Check or pkg-config is missing, so the tests are not built;" \
	         "make test installs them, or run:  sudo apt-get install pkg-config check"; \
	    $(MAKE) --no-print-directory $(LIB) $(BENCH) $(TIMELINE); \
	fi

build: $(LIB) $(BENCH) $(CONTRACT) $(FAULT) $(LESSON_TESTS) $(SOLUTION_BINS)

# Check and pkg-config are the only things the tests need beyond gcc and make.
deps:
	$(Q)sh common/scripts/deps.sh check

# ---- compiling ----

$(BUILD)/obj/%.o: %.c
	@mkdir -p $(@D)
	@$(if $(Q),echo "  CC      $<")
	$(Q)$(CC) $(CPPFLAGS) $(CFLAGS) $(CHECK_CFLAGS) -MMD -MP -c $< -o $@

$(LIB): $(patsubst %.c,$(BUILD)/obj/%.o,$(SCHED_SRCS))
	@$(if $(Q),echo "  AR      $@")
	$(Q)rm -f $@ && $(AR) rcs $@ $^

$(TESTLIB): $(BUILD)/obj/common/test_util.o
	$(Q)rm -f $@ && $(AR) rcs $@ $^

LINK_TEST = $(CC) $(CFLAGS) $(LDFLAGS) $^ $(CHECK_LIBS) $(LDLIBS) -o $@

$(CONTRACT): $(BUILD)/obj/common/contract_test.o $(TESTLIB) $(LIB)
	@mkdir -p $(@D)
	@$(if $(Q),echo "  LINK    $@")
	$(Q)$(LINK_TEST)

$(FAULT): $(BUILD)/obj/common/fault_test.o $(TESTLIB) $(LIB)
	@mkdir -p $(@D)
	@$(if $(Q),echo "  LINK    $@")
	$(Q)$(LINK_TEST) $(WRAP)

$(BUILD)/tests/%: $(BUILD)/obj/%_test.o $(TESTLIB) $(LIB)
	@mkdir -p $(@D)
	@$(if $(Q),echo "  LINK    $@")
	$(Q)$(LINK_TEST)

# In these two rules $* is lessonNN/foo.
.SECONDEXPANSION:
$(BUILD)/exercises/%-solution: $$(BUILD)/obj/$$(dir $$*)exercises/$$(notdir $$*)_test.o \
        $$(BUILD)/obj/$$(dir $$*)solutions/$$(notdir $$*).o $(TESTLIB) $(LIB)
	@mkdir -p $(@D)
	@$(if $(Q),echo "  LINK    $@")
	$(Q)$(LINK_TEST)

$(BUILD)/exercises/%-starter: $$(BUILD)/obj/$$(dir $$*)exercises/$$(notdir $$*)_test.o \
        $$(BUILD)/obj/$$(dir $$*)exercises/$$(notdir $$*).o $(TESTLIB) $(LIB)
	@mkdir -p $(@D)
	@$(if $(Q),echo "  LINK    $@")
	$(Q)$(LINK_TEST)

$(BENCH): $(addprefix $(BUILD)/obj/lesson06_benchmark/,bench.o options.o wakeup.o \
        report.o reference.o plot_data.o workloads.o) $(LIB)
	@$(if $(Q),echo "  LINK    $@")
	$(Q)$(CC) $(CFLAGS) $(LDFLAGS) $^ $(LDLIBS) -o $@

# ---- running ----

# The contract suite for the lessons being tested, each lesson's own tests,
# and every exercise test built against its solution.
test: deps
	$(Q)$(MAKE) --no-print-directory tests-run

tests-run: $(CONTRACT) $(FAULT) $(LESSON_TESTS) $(SOLUTION_BINS)
	$(Q)bash common/scripts/run-tests.sh $(SCHED_SUITES) $(LESSON_TESTS) $(SOLUTION_BINS)

tsan:
	$(Q)$(MAKE) --no-print-directory test SANITIZE=thread CK_TIMEOUT_MULTIPLIER=10

asan:
	$(Q)$(MAKE) --no-print-directory test SANITIZE=address CK_TIMEOUT_MULTIPLIER=4

# memcheck serialises the threads, so it runs the suite in one process
# (CK_FORK=no) to see every leak, with generous timeouts.
valgrind: deps
	$(Q)$(MAKE) --no-print-directory $(CONTRACT)
	$(Q)CK_FORK=no valgrind --quiet --error-exitcode=1 --leak-check=full \
	    --errors-for-leak-kinds=definite,indirect,possible $(CONTRACT) $(LESSON)

export CK_TIMEOUT_MULTIPLIER

exercises: deps
	@mkdir -p $(BUILD)
	@rm -f $(STARTER_BINS)    # never grade a binary left from an older build
	$(Q)$(MAKE) --no-print-directory -k $(STARTER_BINS) >$(BUILD)/exercises.log 2>&1 || true
	$(Q)sh common/scripts/exercises.sh learner $(BUILD)/exercises.log $(STARTER_BINS)

# For CI: an exercise test that passes on the untouched starter teaches nothing.
starters-fail: deps
	$(Q)$(MAKE) --no-print-directory $(STARTER_BINS)
	$(Q)sh common/scripts/exercises.sh starters-fail - $(STARTER_BINS)

# Lesson 6, exercise 1: your single-threaded executor (exercises/single_thread.c)
# against lesson 5's pool of 4 workers on 10,000 tasks, tasks per second for
# each; TASK_NS=1000 makes every task spin 1000 ns first.
COMPARE := $(BUILD)/exercises/lesson06_benchmark/compare
$(COMPARE): $(BUILD)/obj/lesson06_benchmark/exercises/compare.o \
        $(BUILD)/obj/lesson06_benchmark/exercises/single_thread.o $(LIB)
	@mkdir -p $(@D)
	@$(if $(Q),echo "  LINK    $@")
	$(Q)$(CC) $(CFLAGS) $(LDFLAGS) $^ $(LDLIBS) -o $@

.PHONY: lesson06-compare
lesson06-compare: $(COMPARE)
	$(Q)$(COMPARE) $(TASK_NS)

# The peers: the same workloads on runtimes people use instead, each a
# program of its own (lesson06_benchmark/peers/peer.h).  Built by the
# compilers that have them; a peer that cannot be built is left out, and
# `make bench` says how to get it.
PEERS := $(BUILD)/peers
PEER_DIR := lesson06_benchmark/peers
PEER_BINS := $(PEERS)/peer-libgomp $(PEERS)/peer-libomp $(PEERS)/peer-onetbb
PEER_CFLAGS := -std=c11 -O2 -Wall -Wextra -Werror -D_GNU_SOURCE -Icommon
PEER_DEPS := $(PEER_DIR)/peer_main.c $(PEER_DIR)/peer.h common/clock.h

$(PEERS)/peer-libgomp: $(PEER_DIR)/omp_peer.c $(PEER_DEPS)
	@mkdir -p $(@D)
	$(Q)gcc $(PEER_CFLAGS) -fopenmp $(PEER_DIR)/omp_peer.c $(PEER_DIR)/peer_main.c -o $@

$(PEERS)/peer-libomp: $(PEER_DIR)/omp_peer.c $(PEER_DEPS)
	@mkdir -p $(@D)
	$(Q)clang $(PEER_CFLAGS) -fopenmp=libomp $(PEER_DIR)/omp_peer.c $(PEER_DIR)/peer_main.c -o $@

$(PEERS)/peer-onetbb: $(PEER_DIR)/tbb_peer.cpp $(PEER_DEPS)
	@mkdir -p $(@D)
	$(Q)gcc $(PEER_CFLAGS) -c $(PEER_DIR)/peer_main.c -o $(PEERS)/peer_main.o
	$(Q)g++ -std=c++17 -O2 -Wall -Wextra -Werror -Icommon $(PEER_DIR)/tbb_peer.cpp \
	    $(PEERS)/peer_main.o -ltbb -pthread -o $@

peers:
	-$(Q)sh common/scripts/deps.sh tbb
	@mkdir -p $(PEERS)
	-$(Q)$(MAKE) --no-print-directory -k $(PEER_BINS) >$(PEERS)/build.log 2>&1
	@[ -x $(PEERS)/peer-libgomp ] || echo "bench: no OpenMP peer (gcc -fopenmp failed: $(PEERS)/build.log)"
	@[ -x $(PEERS)/peer-libomp ] || echo "bench: no LLVM libomp peer; for it:  sudo apt-get install clang libomp-dev"
	@[ -x $(PEERS)/peer-onetbb ] || echo "bench: no oneTBB peer; for it:  sudo apt-get install g++ libtbb-dev"

# QUICK=1: a smoke run (CI uses it); FULL=1: the big sizes as well.
# bench writes runs.csv, summary.csv, bench.txt and the plot data into
# BENCH_OUT; gnuplot draws lesson06_benchmark/plot.gp's PNGs there.
ifneq ($(filter-out 1,$(QUICK) $(FULL)),)
$(error QUICK and FULL take 1 or nothing, as in: make bench QUICK=1)
endif
ifeq ($(QUICK),1)
BENCH_SIZE := --reps 3 --idle 0.2 --wakeups 100 --fib 25
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

# The randomised soak (common/stress.c): SECONDS long, replayable by SEED.
STRESS := $(BUILD)/stress
SECONDS ?= 60

# $(call count,V) is V when V is a whole number from 1 up, else empty;
# $(call whole,V) the same from 0 up.  For the checks of make's values below.
count = $(shell printf '%s\n' '$(1)' | grep -x '[1-9][0-9]*')
whole = $(shell printf '%s\n' '$(1)' | grep -x '[0-9][0-9]*')
ifneq ($(filter stress,$(MAKECMDGOALS)),)
# stress's values, checked before anything is built or installed.
$(if $(call count,$(SECONDS)),,$(error make stress: SECONDS must be a whole number of seconds, not '$(SECONDS)'))
$(if $(SEED),$(if $(call whole,$(SEED)),,$(error make stress: SEED must be a whole number or empty, not '$(SEED)')))
endif

$(STRESS): $(BUILD)/obj/common/stress.o $(TESTLIB) $(LIB)
	@$(if $(Q),echo "  LINK    $@")
	$(Q)$(LINK_TEST)

stress: deps
	$(Q)$(MAKE) --no-print-directory $(STRESS)
	$(Q)$(STRESS) "$(SECONDS)" "$(SEED)"

# Model checking with spin: lesson 4's litmus tests, each with its fix (spin
# must find no error) and without (spin must find the outcome, and shows it);
# lesson 4's deque in both forms, its seq_cst operations and its fences, each
# as written (spin must find no error) and with take's ordering removed (spin
# must find one, and shows it); lesson 5's parking protocol as
# written, and two broken variants.
verify:
	$(Q)sh common/scripts/deps.sh spin
	@echo "spin, lesson04_chase_lev/litmus/sb.pml (store buffering):"
	$(Q)sh common/scripts/verify.sh $(BUILD)/verify/sb-fence lesson04_chase_lev/litmus/sb.pml ok -DFENCE
	$(Q)sh common/scripts/verify.sh $(BUILD)/verify/sb lesson04_chase_lev/litmus/sb.pml error
	@echo "spin, lesson04_chase_lev/litmus/mp.pml (message passing):"
	$(Q)sh common/scripts/verify.sh $(BUILD)/verify/mp-release lesson04_chase_lev/litmus/mp.pml ok -DRELEASE
	$(Q)sh common/scripts/verify.sh $(BUILD)/verify/mp lesson04_chase_lev/litmus/mp.pml error
	@echo "spin, lesson04_chase_lev/model/chase_lev.pml:"
	$(Q)sh common/scripts/verify.sh $(BUILD)/verify/ok lesson04_chase_lev/model/chase_lev.pml ok
	$(Q)sh common/scripts/verify.sh $(BUILD)/verify/broken lesson04_chase_lev/model/chase_lev.pml error -DTAKE_RELEASE
	$(Q)sh common/scripts/verify.sh $(BUILD)/verify/fences lesson04_chase_lev/model/chase_lev.pml ok -DFENCES
	$(Q)sh common/scripts/verify.sh $(BUILD)/verify/fences-broken lesson04_chase_lev/model/chase_lev.pml error -DFENCES -DNO_TAKE_FENCE
	@echo "spin, lesson05_parking/model/parking.pml:"
	$(Q)sh common/scripts/verify.sh $(BUILD)/verify/park-ok lesson05_parking/model/parking.pml ok
	$(Q)sh common/scripts/verify.sh $(BUILD)/verify/park-plain lesson05_parking/model/parking.pml error -DPLAIN_LOAD
	$(Q)sh common/scripts/verify.sh $(BUILD)/verify/park-norecheck lesson05_parking/model/parking.pml error -DNO_RECHECK
	$(Q)sh common/scripts/verify.sh $(BUILD)/verify/park-hint lesson05_parking/model/parking.pml error -DFIRST_FROM_HINT

# Lesson 4: its deque built with one ordering removed at a time (0 = none
# removed), in both of deque.h's forms: the seq_cst operations it ships
# (break-N) and the paper's fences (break-fences-N, -DDEQUE_FENCES); each
# hammered for BREAK_SECONDS (default 5).
BREAK_SECONDS ?= 5
ifneq ($(filter break,$(MAKECMDGOALS)),)
$(if $(call count,$(BREAK_SECONDS)),,$(error make break: BREAK_SECONDS must be a whole number of seconds, not '$(BREAK_SECONDS)'))
endif
BREAK_BINS := $(foreach n,0 1 2 3 4,$(BUILD)/break/break-$(n)) \
              $(foreach n,0 1 3,$(BUILD)/break/break-fences-$(n))
$(BUILD)/break/break-fences-%: lesson04_chase_lev/breaking/break_deque.c lesson04_chase_lev/deque.h
	@mkdir -p $(@D)
	@$(if $(Q),echo "  CC      $@")
	$(Q)$(CC) $(CPPFLAGS) $(CFLAGS) -DDEQUE_FENCES -DBREAK=$* $< $(LDFLAGS) $(LDLIBS) -o $@
$(BUILD)/break/break-%: lesson04_chase_lev/breaking/break_deque.c lesson04_chase_lev/deque.h
	@mkdir -p $(@D)
	@$(if $(Q),echo "  CC      $@")
	$(Q)$(CC) $(CPPFLAGS) $(CFLAGS) -DBREAK=$* $< $(LDFLAGS) $(LDLIBS) -o $@

break: $(BREAK_BINS)
	@echo "What the full barrier costs: one thread pushing and taking (take's fast path):"
	@printf '  %-44s ' "seq_cst operations, as shipped:";      $(BUILD)/break/break-0 --cost
	@printf '  %-44s ' "  take's store of bottom release:";    $(BUILD)/break/break-1 --cost
	@printf '  %-44s ' "fences (-DDEQUE_FENCES), as written:"; $(BUILD)/break/break-fences-0 --cost
	@printf '  %-44s ' "  take without its seq_cst fence:";    $(BUILD)/break/break-fences-1 --cost
	@echo "lesson04's deque, one ordering removed at a time, $(BREAK_SECONDS) s each:"
	@echo "  seq_cst operations (as shipped):"
	@printf '  %-44s ' "  as written:";                        $(BUILD)/break/break-0 $(BREAK_SECONDS)
	@printf '  %-44s ' "  take's store of bottom release:";    $(BUILD)/break/break-1 $(BREAK_SECONDS)
	@printf '  %-44s ' "  take's load of top acquire:";        $(BUILD)/break/break-2 $(BREAK_SECONDS)
	@printf '  %-44s ' "  steal's loads acquire:";             $(BUILD)/break/break-3 $(BREAK_SECONDS)
	@printf '  %-44s ' "  push with a relaxed bottom:";        $(BUILD)/break/break-4 $(BREAK_SECONDS)
	@echo "  fences (-DDEQUE_FENCES, the paper's form):"
	@printf '  %-44s ' "  as written:";                        $(BUILD)/break/break-fences-0 $(BREAK_SECONDS)
	@printf '  %-44s ' "  take without its seq_cst fence:";    $(BUILD)/break/break-fences-1 $(BREAK_SECONDS)
	@printf '  %-44s ' "  steal without its seq_cst fence:";   $(BUILD)/break/break-fences-3 $(BREAK_SECONDS)

# Lesson 4's litmus tests (lesson04_chase_lev/litmus/): the memory model by
# experiment, before the deque.  Each runs a few loads and stores on two
# threads a million times, once per mode, and counts what the loads read.
LITMUS_SRC := lesson04_chase_lev/litmus
LITMUS_OBJ := $(BUILD)/obj/$(LITMUS_SRC)
LITMUS := $(BUILD)/litmus

$(LITMUS)/sb: $(LITMUS_OBJ)/sb.o $(LITMUS_OBJ)/sb_kernel.o
	@mkdir -p $(@D)
	@$(if $(Q),echo "  LINK    $@")
	$(Q)$(CC) $(CFLAGS) $(LDFLAGS) $^ $(LDLIBS) -o $@

$(LITMUS)/mp: $(LITMUS_OBJ)/mp.o
	@mkdir -p $(@D)
	@$(if $(Q),echo "  LINK    $@")
	$(Q)$(CC) $(CFLAGS) $(LDFLAGS) $^ $(LDLIBS) -o $@

# The lesson's test of the same kernel (lesson04_chase_lev/litmus_test.c).
$(BUILD)/tests/lesson04_chase_lev/litmus: $(LITMUS_OBJ)/sb_kernel.o

litmus: $(LITMUS)/sb $(LITMUS)/mp
	$(Q)for mode in relaxed acq_rel fence seq_cst; do $(LITMUS)/sb $$mode && echo || exit 1; done
	$(Q)for mode in relaxed release; do $(LITMUS)/mp $$mode && echo || exit 1; done

# x86 never shows mp's failure; ThreadSanitizer finds its cause anyway.  mp
# built with TSan, beside the plain one: relaxed mode must be reported (the
# data race is the demonstration: TSan exits with 66), release mode clean.
$(LITMUS)/mp-tsan: $(LITMUS_SRC)/mp.c $(LITMUS_SRC)/litmus.h common/cacheline.h common/clock.h common/rng.h
	@mkdir -p $(@D)
	@$(if $(Q),echo "  CC      $@")
	$(Q)$(CC) $(CPPFLAGS) $(filter-out -fsanitize=%,$(CFLAGS)) -fsanitize=thread $< \
	    $(LDLIBS) -fsanitize=thread -o $@

litmus-tsan: $(LITMUS)/mp-tsan
	@echo "mp relaxed, under ThreadSanitizer (expect its report of a data race on data):"
	$(Q)$(LITMUS)/mp-tsan relaxed; rc=$$?; [ $$rc = 66 ] || \
	    { echo "litmus-tsan: expected ThreadSanitizer's report (exit status 66), got $$rc"; exit 1; }
	@echo "(ThreadSanitizer reported the race above, as it should: the flag is relaxed.)"
	@echo
	@echo "mp release, under ThreadSanitizer (expect no report):"
	$(Q)$(LITMUS)/mp-tsan release
	@echo "(No report: the release store and acquire load order the write and read of data.)"

# ---- tracing: make trace, make timeline (TRACING.md) ----
#
# Every scheduler again, compiled with -DTRACE and linked with common/trace.c,
# in a directory of its own beside $(BUILD) (build-trace/, build-tsan-trace/,
# build-clang-trace/ ...), so traced objects never mix with the others.
# `make test` runs the trace tests from there, one program per lesson: they
# join LESSON_TESTS, which tests-run's recipe expands only when it runs, and
# the prerequisites of build and tests-run, which make has read already.
TBUILD := $(BUILD)-trace
TLIB := $(TBUILD)/libsched.a
TIMELINE := $(TBUILD)/timeline
TRACE_TESTS := $(foreach l,$(filter $(LESSONS),$(TEST_LESSONS)),$(TBUILD)/tests/$(l)/trace)
LESSON_TESTS += $(TRACE_TESTS)
build tests-run: $(TRACE_TESTS)
build: $(TIMELINE)

$(TBUILD)/obj/%.o: %.c
	@mkdir -p $(@D)
	@$(if $(Q),echo "  CC      $< (TRACE)")
	$(Q)$(CC) $(CPPFLAGS) -DTRACE $(CFLAGS) $(CHECK_CFLAGS) -MMD -MP -c $< -o $@

# common/trace_test.c, once for each lesson, told which by TRACE_LESSON.
$(TBUILD)/obj/%/trace_test.o: common/trace_test.c
	@mkdir -p $(@D)
	@$(if $(Q),echo "  CC      $< ($*)")
	$(Q)$(CC) $(CPPFLAGS) -DTRACE -DTRACE_LESSON='"$*"' $(CFLAGS) $(CHECK_CFLAGS) -MMD -MP -c $< -o $@

$(TLIB): $(patsubst %.c,$(TBUILD)/obj/%.o,$(SCHED_SRCS) common/trace.c)
	@$(if $(Q),echo "  AR      $@")
	$(Q)rm -f $@ && $(AR) rcs $@ $^

$(TBUILD)/tests/%/trace: $(TBUILD)/obj/%/trace_test.o $(TBUILD)/obj/common/test_util.o $(TLIB)
	@mkdir -p $(@D)
	@$(if $(Q),echo "  LINK    $@")
	$(Q)$(LINK_TEST)

$(TIMELINE): $(TBUILD)/obj/common/timeline.o $(TLIB)
	@$(if $(Q),echo "  LINK    $@")
	$(Q)$(CC) $(CFLAGS) $(LDFLAGS) $^ $(LDLIBS) -o $@

trace: deps
	$(Q)$(MAKE) --no-print-directory $(TIMELINE) $(TRACE_TESTS)

# One workload on one lesson, traced and drawn: $(TBUILD)/timelines/LESSON-WORKLOAD.{csv,png},
# or PNG=... ; RUNS=n keeps the fastest of n runs (common/timeline.c says why).
# timeline-all draws the imbalanced workload for every lesson, fastest of 5,
# into lessonNN_*/timeline.png: the pictures in the lessons' READMEs.
WORKLOADS := imbalanced tree flat
WORKLOAD ?= imbalanced
WORKERS ?= 2
RUNS ?= 1
PNG ?= $(TBUILD)/timelines/$(LESSON)-$(WORKLOAD).png
ifneq ($(filter timeline,$(MAKECMDGOALS)),)
# timeline's values, as in: make timeline LESSON=name [WORKLOAD=name] [WORKERS=2] [RUNS=1] [PNG=file.png]
$(if $(filter $(LESSON),$(LESSONS)),,$(error make timeline: LESSON must be one of $(LESSONS), not '$(LESSON)'))
$(if $(filter $(WORKLOAD),$(WORKLOADS)),,$(error make timeline: WORKLOAD must be one of $(WORKLOADS), not '$(WORKLOAD)'))
$(if $(and $(call count,$(WORKERS)),$(shell [ '$(WORKERS)' -le 256 ] && echo y)),,\
    $(error make timeline: WORKERS must be a whole number from 1 to 256, not '$(WORKERS)'))
$(if $(call count,$(RUNS)),,$(error make timeline: RUNS must be a whole number from 1 up, not '$(RUNS)'))
endif

timeline:
	$(Q)sh common/scripts/deps.sh gnuplot
	$(Q)$(MAKE) --no-print-directory -q $(TIMELINE) || $(MAKE) --no-print-directory $(TIMELINE)
	@mkdir -p $(TBUILD)/timelines $(dir $(PNG))
	$(Q)$(TIMELINE) --workers $(WORKERS) --runs $(RUNS) --csv $(TBUILD)/timelines/$(LESSON)-$(WORKLOAD).csv \
	    $(LESSON) $(WORKLOAD)
	$(Q)sh common/scripts/timeline.sh $(TBUILD)/timelines/$(LESSON)-$(WORKLOAD).csv $(PNG)
	@echo "timeline: $(TBUILD)/timelines/$(LESSON)-$(WORKLOAD).csv, $(PNG)"

timeline-all:
	$(Q)for l in $(LESSONS); do \
	    $(MAKE) --no-print-directory timeline LESSON=$$l WORKLOAD=imbalanced RUNS=5 PNG=$$l/timeline.png || exit 1; \
	done

# Proof that the hooks cost nothing without TRACE: the same machine code as
# the same sources with the hook lines deleted (common/scripts/trace-off-same.sh;
# BASE=commit compares against a commit instead).
trace-off-same:
	$(Q)CC=$(CC) sh common/scripts/trace-off-same.sh $(BASE)

-include $(shell find $(TBUILD)/obj -name '*.d' 2>/dev/null)

# What a lesson changed from the one before it: diff -u of its scheduler and
# headers (common/scripts/diff.sh).  check-copies: every region a lesson marks
# "copied unchanged from ..." still is (common/scripts/check-copies.sh).
.PHONY: diff check-copies
diff:
	$(Q)sh common/scripts/diff.sh $(LESSON)

check-copies:
	$(Q)sh common/scripts/check-copies.sh

clean:
	rm -rf build build-* 

help:
	@sed -n '/^#   make /,/^# V=1/p' Makefile

-include $(shell find $(BUILD)/obj -name '*.d' 2>/dev/null)

# The benchmark prints the flags it was built with.
$(BUILD)/obj/lesson06_benchmark/bench.o: CPPFLAGS += -DBENCH_CFLAGS='"$(filter -O% -march=% -fsanitize=%,$(CFLAGS))"'

# Keep objects that make considers intermediate (test objects), so a second
# `make` does not rebuild them.
.SECONDARY:
