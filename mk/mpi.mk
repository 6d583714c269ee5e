# MPI build of the census (src/tools/census_mpi.c): build/parevm-mpi, the
# same tool with `census --mpi`, when Open MPI's mpicc is present
# (Debian: libopenmpi-dev openmpi-bin, installed by scripts/setup). The
# default build (build/parevm) never needs MPI; `make build/parevm-mpi`
# (make test's census stage builds it) or `make mpi`.
.PHONY: mpi
mpi: $(B)/parevm-mpi
MPICC ?= $(shell command -v mpicc 2>/dev/null)
ifneq ($(MPICC),)
MPI_TOOL_OBJS := $(patsubst %.c,$(B)/obj/%.o,$(filter-out src/tools/census.c src/tools/census_mpi.c src/tools/farm.c src/tools/run.c,$(TOOL_SRCS))) \
                 $(B)/obj-mpi/census.o $(B)/obj-mpi/census_mpi.o $(B)/obj-mpi/farm.o $(B)/obj-mpi/run.o
$(B)/obj-mpi/%.o: src/tools/%.c | $(SETUP_STAMP)
	@mkdir -p $(dir $@)
	$(Q)$(call quiet,CC,$@)$(MPICC) $(CPPFLAGS) -DPAREVM_MPI $(CFLAGS) -MMD -MP -c $< -o $@
$(B)/parevm-mpi: $(MPI_TOOL_OBJS) $(B)/libparevm.a
	$(Q)$(call quiet,LD,$@)$(MPICC) $(LDFLAGS) -o $@ $(MPI_TOOL_OBJS) $(B)/libparevm.a $(LDLIBS)
-include $(wildcard $(B)/obj-mpi/*.d)
endif
