# mk/trace.mk: tracing (TRACING.md).  Every scheduler again, compiled with
# -DTRACE and linked with common/trace.c, into $(TBUILD) beside $(BUILD)
# (build-trace/, build-tsan-trace/, build-clang-trace/ ...), so traced
# objects never mix with the others.  `make test` runs each lesson's trace
# test from there (TRACE_TESTS, named in the Makefile).
#
#   make trace        the traced schedulers, their tests and the timeline program
#   make timeline     one lesson's trace drawn (LESSON=, WORKLOAD=, WORKERS=, RUNS=)
#   make timeline-all the pictures in the lessons' READMEs, redrawn
#   make trace-off-same  proof that the trace hooks cost nothing without TRACE

.PHONY: trace timeline timeline-all trace-off-same

TLIB := $(TBUILD)/libsched.a

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
	$(link_test)

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

# The same machine code as the same sources with the hook lines deleted
# (common/scripts/trace-off-same.sh; BASE=commit compares against a commit).
trace-off-same:
	$(Q)CC=$(CC) sh common/scripts/trace-off-same.sh $(BASE)
