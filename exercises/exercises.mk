# exercises/exercises.mk: the self-checking exercises (docs/exercises/).
# `make check-exercise-N` builds exercises/work/NAME.c (the learner's copy of
# a stage client; created from the stage's file when missing) with the stage
# clients' flags and lib, runs it under strace and checks its story.
EXERCISES := 1 2 3 4 5
EXERCISE_TARGETS := $(EXERCISES:%=check-exercise-%)

.PHONY: exercises exercise-build-flags $(EXERCISE_TARGETS)

exercises: ## list the exercises and how to check them (make check-exercise-N)
	@sed -n 's/^| \([1-5]\) | \(.*\) | \(.*\) |$$/  make check-exercise-\1  \2 (exercises\/work\/\3)/p' docs/exercises/README.md

$(EXERCISE_TARGETS): check-exercise-%: $(NO_BPF_BINS)
	@CC='$(CC)' CFLAGS='$(CFLAGS)' STACK_FLAGS='$(STACK_FLAGS)' CLIENT_LIB_OBJ='$(CLIENT_LIB_OBJ)' \
	  scripts/check-exercise.sh $*

# For scripts/check-exercise.sh run by hand: CC|CFLAGS STACK_FLAGS|CLIENT_LIB_OBJ.
exercise-build-flags:
	@echo '$(CC)|$(CFLAGS) $(STACK_FLAGS)|$(CLIENT_LIB_OBJ)'
