# Makefile: builds every lesson and runs the tests.  This file is the core:
# building, testing, exercises, cleaning.  Everything else is in mk/, one
# file per topic, included at the end:
#
#   mk/sanitizers.mk   make tsan, asan, valgrind, stress
#   mk/bench.mk        make bench, peers, lesson06-compare
#   mk/verify.mk       make verify, verify-litmus, break, litmus, litmus-tsan
#   mk/trace.mk        make trace, timeline, timeline-all, trace-off-same
#   mk/peers-rust-go.mk  make peers-rust-go, peers-rust-go-test
#
# `make help` lists every target.  The ones here:
#
#   make              build everything into build/ (installs nothing)
#   make test         every test suite, and the exercise tests against solutions/
#   make exercises    your exercises: passed, or not yet (LESSON=... for one lesson)
#   make starters-fail  for CI: every untouched exercise starter fails its test
#   make diff         what a lesson changed from the one before (LESSON=lesson05_parking)
#   make check-copies the regions marked "copied unchanged" still are
#   make clean        remove every build directory
#   make help         this list, and the other files' targets
#
# LESSON=lesson01_shared_queue limits test and exercises to one lesson.
# CC=clang builds with clang into build-clang/ (objects never mix).
# V=1 shows the full compiler commands.

# override: a CFLAGS or CPPFLAGS given on the command line (CPPFLAGS=-DPARK_POLLS=0)
# adds to these instead of replacing them.
CFLAGS   ?= -O2 -g
override CFLAGS   += -std=c11 -Wall -Wextra -Werror -pthread
override CPPFLAGS += -D_GNU_SOURCE -Icommon
LDLIBS   += -pthread

# One build directory per compiler and sanitizer, so objects never mix.
COMPILER := $(if $(filter cc gcc,$(notdir $(CC))),,-$(notdir $(CC)))
SANITIZE ?=
ifeq ($(SANITIZE),)
BUILD ?= build$(COMPILER)
else ifeq ($(SANITIZE),thread)
BUILD ?= build-tsan$(COMPILER)
override CFLAGS += -fsanitize=thread
override LDFLAGS += -fsanitize=thread
else ifeq ($(SANITIZE),address)
BUILD ?= build-asan$(COMPILER)
override CFLAGS += -fsanitize=address,undefined -fno-sanitize-recover=all -fno-omit-frame-pointer
override LDFLAGS += -fsanitize=address,undefined
else
$(error SANITIZE must be thread, address or empty, not '$(SANITIZE)')
endif
# Traced builds (mk/trace.mk) go beside: build-trace/, build-tsan-trace/ ...
TBUILD := $(BUILD)-trace

Q := $(if $(filter 1,$(V)),,@)

# $(call count,V) is V when V is a whole number from 1 up, else empty;
# $(call whole,V) the same from 0 up.  For the checks of make's values.
count = $(shell printf '%s\n' '$(1)' | grep -x '[1-9][0-9]*')
whole = $(shell printf '%s\n' '$(1)' | grep -x '[0-9][0-9]*')

# ---- what there is to build ----

LESSONS := $(patsubst %/,%,$(sort $(wildcard lesson0[1-5]_*/)))
# Lessons with exercises: those with a scheduler, and lesson 6 (measuring).
EXERCISE_LESSONS := $(LESSONS) lesson06_benchmark
ifneq ($(LESSON),)
$(if $(filter $(LESSON),$(EXERCISE_LESSONS)),,$(error LESSON must be one of: $(EXERCISE_LESSONS); not '$(LESSON)'))
TEST_LESSONS := $(LESSON)
else
TEST_LESSONS := $(EXERCISE_LESSONS)
endif

# A lesson's scheduler is every .c file at the top of its directory but its tests.
SCHED_SRCS := common/registry.c $(foreach l,$(LESSONS),$(filter-out %_test.c,$(wildcard $(l)/*.c)))
LIB     := $(BUILD)/libsched.a
TESTLIB := $(BUILD)/libtestutil.a

# The contract suite, and the error paths: malloc and friends, and
# pthread_create, wrapped at link time so that a test can make the k-th
# call fail (common/fault_test.c).  Both for LESSON's scheduler, every
# scheduler when LESSON is empty, none when LESSON has no scheduler.
CONTRACT := $(BUILD)/tests/contract
FAULT    := $(BUILD)/tests/fault
WRAP     := -Wl,--wrap=malloc -Wl,--wrap=calloc -Wl,--wrap=aligned_alloc -Wl,--wrap=pthread_create
SCHED_SUITES = $(if $(filter-out $(LESSONS),$(LESSON)),,"$(CONTRACT) $(LESSON)" "$(FAULT) $(LESSON)")

# lessonNN/foo_test.c -> $(BUILD)/tests/lessonNN/foo; and each lesson's trace
# test, built with -DTRACE by mk/trace.mk.
LESSON_TESTS := $(foreach l,$(TEST_LESSONS),\
    $(patsubst $(l)/%_test.c,$(BUILD)/tests/$(l)/%,$(wildcard $(l)/*_test.c)))
TRACE_TESTS  := $(foreach l,$(filter $(LESSONS),$(TEST_LESSONS)),$(TBUILD)/tests/$(l)/trace)
TIMELINE     := $(TBUILD)/timeline

# lessonNN/exercises/foo_test.c tests exercise foo: the starter
# (exercises/foo.c) or the solution (solutions/foo.c), linked into
# $(BUILD)/exercises/lessonNN/foo-starter and foo-solution.
exercises_of = $(foreach l,$(1),\
    $(patsubst $(l)/exercises/%_test.c,$(l)/%,$(wildcard $(l)/exercises/*_test.c)))
EXERCISES     := $(addprefix $(BUILD)/exercises/,$(call exercises_of,$(TEST_LESSONS)))
SOLUTION_BINS := $(addsuffix -solution,$(EXERCISES))
STARTER_BINS  := $(addsuffix -starter,$(EXERCISES))

BENCH := $(BUILD)/bench

CHECK_CFLAGS = $(shell pkg-config --cflags check 2>/dev/null)
CHECK_LIBS   = $(shell pkg-config --libs check 2>/dev/null)

.PHONY: all build deps test tests-run exercises starters-fail diff check-copies clean help

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

build: $(LIB) $(BENCH) $(TIMELINE) $(CONTRACT) $(FAULT) $(LESSON_TESTS) $(TRACE_TESTS) $(SOLUTION_BINS)

# Check and pkg-config are the only things the tests need beyond gcc and make.
deps:
	$(Q)sh common/scripts/deps.sh check

# ---- compiling and linking ----

$(BUILD)/obj/%.o: %.c
	@mkdir -p $(@D)
	@$(if $(Q),echo "  CC      $<")
	$(Q)$(CC) $(CPPFLAGS) $(CFLAGS) $(CHECK_CFLAGS) -MMD -MP -c $< -o $@

$(LIB): $(patsubst %.c,$(BUILD)/obj/%.o,$(SCHED_SRCS))
	@$(if $(Q),echo "  AR      $@")
	$(Q)rm -f $@ && $(AR) rcs $@ $^

$(TESTLIB): $(BUILD)/obj/common/test_util.o
	$(Q)rm -f $@ && $(AR) rcs $@ $^

# Every test program is linked the same way, from all its prerequisites.
LINK_TEST = $(CC) $(CFLAGS) $(LDFLAGS) $^ $(CHECK_LIBS) $(LDLIBS) -o $@
define link_test
	@mkdir -p $(@D)
	@$(if $(Q),echo "  LINK    $@")
	$(Q)$(LINK_TEST)
endef

$(CONTRACT): $(BUILD)/obj/common/contract_test.o $(TESTLIB) $(LIB)
	$(link_test)

$(FAULT): $(BUILD)/obj/common/fault_test.o $(TESTLIB) $(LIB)
	@mkdir -p $(@D)
	@$(if $(Q),echo "  LINK    $@")
	$(Q)$(LINK_TEST) $(WRAP)

$(BUILD)/tests/%: $(BUILD)/obj/%_test.o $(TESTLIB) $(LIB)
	$(link_test)

# An exercise's two programs: its test with the starter, and with the
# solution.  The prerequisites, one pair of lines per exercise, come from
# exercise_rules; the recipe is the pattern rule's.
define exercise_rules
$(BUILD)/exercises/$(1)-starter: $(BUILD)/obj/$(dir $(1))exercises/$(notdir $(1))_test.o \
    $(BUILD)/obj/$(dir $(1))exercises/$(notdir $(1)).o $(TESTLIB) $(LIB)
$(BUILD)/exercises/$(1)-solution: $(BUILD)/obj/$(dir $(1))exercises/$(notdir $(1))_test.o \
    $(BUILD)/obj/$(dir $(1))solutions/$(notdir $(1)).o $(TESTLIB) $(LIB)
endef
$(foreach e,$(call exercises_of,$(EXERCISE_LESSONS)),$(eval $(call exercise_rules,$(e))))

$(BUILD)/exercises/%:
	$(link_test)

# ---- running ----

# The contract and fault suites for the lessons being tested, each lesson's
# own tests and trace test, and every exercise test against its solution.
test: deps
	$(Q)$(MAKE) --no-print-directory tests-run

tests-run: $(CONTRACT) $(FAULT) $(LESSON_TESTS) $(TRACE_TESTS) $(SOLUTION_BINS)
	$(Q)bash common/scripts/run-tests.sh $(SCHED_SUITES) $(LESSON_TESTS) $(TRACE_TESTS) $(SOLUTION_BINS)

exercises: deps
	@mkdir -p $(BUILD)
	@rm -f $(STARTER_BINS)    # never grade a binary left from an older build
	$(Q)$(MAKE) --no-print-directory -k $(STARTER_BINS) >$(BUILD)/exercises.log 2>&1 || true
	$(Q)sh common/scripts/exercises.sh learner $(BUILD)/exercises.log $(STARTER_BINS)

# An exercise test that passes on the untouched starter teaches nothing.
starters-fail: deps
	$(Q)$(MAKE) --no-print-directory $(STARTER_BINS)
	$(Q)sh common/scripts/exercises.sh starters-fail - $(STARTER_BINS)

# What a lesson changed from the one before it: diff -u of its scheduler and
# headers.  check-copies: every region a lesson marks "copied unchanged
# from ..." still is (CI's first step).
diff:
	$(Q)sh common/scripts/diff.sh $(LESSON)

check-copies:
	$(Q)sh common/scripts/check-copies.sh

clean:
	rm -rf build build-*

# Every "#   make TARGET  what it does" line of the top comments, aligned.
help:
	@sed -n 's/^#   make //p' Makefile mk/*.mk | awk '{ t = ""; d = $$0; \
	    if (match(d, /^[^ ]+/)) { t = substr(d, 1, RLENGTH); d = substr(d, RLENGTH + 1) } \
	    sub(/^ +/, "", d); printf "make %-18s %s\n", t, d }'

include mk/sanitizers.mk mk/bench.mk mk/verify.mk mk/trace.mk mk/peers-rust-go.mk

# What each object includes (gcc -MMD), for this build and its traced twin.
-include $(shell find $(BUILD)/obj $(TBUILD)/obj -name '*.d' 2>/dev/null)

# Keep objects that make considers intermediate (test objects), so a second
# `make` does not rebuild them.
.SECONDARY:
