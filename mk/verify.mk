# mk/verify.mk: lesson 4's and lesson 5's correctness tools beyond the
# tests: litmus tests, the deque broken on purpose, and the spin models.
#
#   make litmus       lesson 4's litmus tests: what loads can read, counted
#   make litmus-tsan  the message-passing one under ThreadSanitizer
#   make break        lesson 4's deque with one memory ordering removed at a time
#   make verify-litmus  spin models of lesson 4's two experiments only
#   make verify       spin models of lessons 4 and 5, as written and broken on purpose

.PHONY: litmus litmus-tsan break verify verify-litmus

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

litmus: $(LITMUS)/mp $(LITMUS)/sb
	$(Q)for mode in relaxed release; do $(LITMUS)/mp $$mode && echo || exit 1; done
	$(Q)for mode in relaxed acq_rel fence seq_cst; do $(LITMUS)/sb $$mode && echo || exit 1; done

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

# Lesson 4: its deque built with one ordering removed at a time (0 = none
# removed), in both of deque.h's forms: the seq_cst operations it ships
# (break-N) and the paper's fences (break-fences-N, -DDEQUE_FENCES); each
# hammered for BREAK_SECONDS (default 5).
BREAK_SECONDS ?= 5
ifneq ($(filter break,$(MAKECMDGOALS)),)
$(if $(call count,$(BREAK_SECONDS)),,$(error make break: BREAK_SECONDS must be a whole number of seconds from 1 up, not '$(BREAK_SECONDS)'))
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

# Model checking with spin: lesson 4's litmus tests, each with its fix (spin
# must find no error) and without (spin must find the outcome, and shows it);
# lesson 4's deque in both forms, its seq_cst operations and its fences, each
# as written (spin must find no error) and with take's ordering removed (spin
# must find one, and shows it); lesson 5's parking protocol as written, and
# three broken variants.
VERIFY := sh common/scripts/verify.sh
verify-litmus:
	$(Q)sh common/scripts/deps.sh spin
	@echo "spin, lesson04_chase_lev/litmus/mp.pml (message passing):"
	$(Q)$(VERIFY) $(BUILD)/verify/mp-release lesson04_chase_lev/litmus/mp.pml ok -DRELEASE
	$(Q)$(VERIFY) $(BUILD)/verify/mp lesson04_chase_lev/litmus/mp.pml error
	@echo "spin, lesson04_chase_lev/litmus/sb.pml (store buffering):"
	$(Q)$(VERIFY) $(BUILD)/verify/sb-fence lesson04_chase_lev/litmus/sb.pml ok -DFENCE
	$(Q)$(VERIFY) $(BUILD)/verify/sb lesson04_chase_lev/litmus/sb.pml error

verify: verify-litmus
	@echo "spin, lesson04_chase_lev/model/chase_lev.pml:"
	$(Q)$(VERIFY) $(BUILD)/verify/ok lesson04_chase_lev/model/chase_lev.pml ok
	$(Q)$(VERIFY) $(BUILD)/verify/broken lesson04_chase_lev/model/chase_lev.pml error -DTAKE_RELEASE
	$(Q)$(VERIFY) $(BUILD)/verify/fences lesson04_chase_lev/model/chase_lev.pml ok -DFENCES
	$(Q)$(VERIFY) $(BUILD)/verify/fences-broken lesson04_chase_lev/model/chase_lev.pml error -DFENCES -DNO_TAKE_FENCE
	@echo "spin, lesson05_parking/model/parking.pml:"
	$(Q)$(VERIFY) $(BUILD)/verify/park-ok lesson05_parking/model/parking.pml ok
	$(Q)$(VERIFY) $(BUILD)/verify/park-plain lesson05_parking/model/parking.pml error -DPLAIN_LOAD
	$(Q)$(VERIFY) $(BUILD)/verify/park-norecheck lesson05_parking/model/parking.pml error -DNO_RECHECK
	$(Q)$(VERIFY) $(BUILD)/verify/park-hint lesson05_parking/model/parking.pml error -DFIRST_FROM_HINT
