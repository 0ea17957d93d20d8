# mk/sanitizers.mk: the test suites under the sanitizers and valgrind, and
# the randomised soak.  Each sanitizer builds in its own directory
# (build-tsan/, build-asan/: see SANITIZE in the Makefile).
#
#   make tsan         the test suites under ThreadSanitizer        (build-tsan/)
#   make asan         the test suites under AddressSanitizer+UBSan (build-asan/)
#   make valgrind     the contract suite under valgrind's memcheck
#   make stress       every scheduler, randomised, for SECONDS (60) from SEED

.PHONY: tsan asan valgrind stress

tsan:
	$(Q)$(MAKE) --no-print-directory test SANITIZE=thread CK_TIMEOUT_MULTIPLIER=10

asan:
	$(Q)$(MAKE) --no-print-directory test SANITIZE=address CK_TIMEOUT_MULTIPLIER=4

export CK_TIMEOUT_MULTIPLIER

# memcheck serialises the threads, so it runs the suite in one process
# (CK_FORK=no) to see every leak, with generous timeouts.
valgrind: deps
	$(Q)$(MAKE) --no-print-directory $(CONTRACT)
	$(Q)CK_FORK=no valgrind --quiet --error-exitcode=1 --leak-check=full \
	    --errors-for-leak-kinds=definite,indirect,possible $(CONTRACT) $(LESSON)

# The randomised soak (common/stress.c): SECONDS long, replayable by SEED.
STRESS := $(BUILD)/stress
SECONDS ?= 60
ifneq ($(filter stress,$(MAKECMDGOALS)),)
# checked before anything is built or installed
$(if $(call count,$(SECONDS)),,$(error make stress: SECONDS must be a whole number of seconds from 1 up, not '$(SECONDS)'))
$(if $(SEED),$(if $(call whole,$(SEED)),,$(error make stress: SEED must be a whole number or empty, not '$(SEED)')))
endif

$(STRESS): $(BUILD)/obj/common/stress.o $(TESTLIB) $(LIB)
	$(link_test)

stress: deps
	$(Q)$(MAKE) --no-print-directory $(STRESS)
	$(Q)$(STRESS) "$(SECONDS)" "$(SEED)"
