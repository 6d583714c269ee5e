# Fault injection test (issue 21): every allocation the library makes goes
# through tests/test_fault.c's counters, which fail the Nth one.
FAULT_WRAP := -Wl,--wrap=malloc,--wrap=calloc,--wrap=realloc,--wrap=aligned_alloc,--wrap=pthread_create,--wrap=strdup
$(B)/tests/test_fault: tests/test_fault.c $(B)/libparevm.a | $(SETUP_STAMP)
	@mkdir -p $(dir $@)
	$(Q)$(call quiet,CC,$@)$(CC) $(CPPFLAGS) $(CFLAGS) $(LDFLAGS) $(FAULT_WRAP) -o $@ $< $(B)/libparevm.a $(LDLIBS) -lcmocka
