# mlpredict: PGXS build.  The version lives only in mlpredict.control.
EXTENSION   = mlpredict
EXTVERSION  = $(shell sed -n "s/^default_version *= *'\(.*\)'/\1/p" $(EXTENSION).control)
MODULE_big  = $(EXTENSION)

OBJS = \
	src/module.o src/guc.o src/settings.o src/util.o \
	src/catalog/connection.o src/catalog/connection_drop.o src/catalog/model.o src/catalog/catalog_access.o \
	src/catalog/typed_function.o src/catalog/connection_acl.o src/catalog/role_guard.o \
	src/syntax/lexer.o src/syntax/names.o src/syntax/script.o \
	src/ddl/parser.o src/ddl/execute.o src/ddl/describe.o src/ddl/functions.o src/ddl/continuous_ddl.o \
	src/ddl/flink_query.o src/ddl/flink_table.o src/ddl/flink_statement.o src/ddl/flink_run.o \
	src/continuous/continuous_query.o src/continuous/cq_define.o src/continuous/cq_options.o \
	src/continuous/cq_ops.o src/continuous/cq_enqueue.o src/continuous/cq_alter_check.o src/continuous/capture.o src/continuous/commit_wake.o \
	src/types/pg_types.o src/types/flink_types.o src/types/typemap.o src/types/column_store.o \
	src/types/json_encode.o src/types/json_path.o src/types/json_decode.o src/types/base64.o \
	src/types/float_parse.o src/types/json_schema.o src/types/output_schema.o \
	src/options/model_options.o src/options/runtime_options.o \
	src/wire/target.o src/wire/params.o src/wire/response_error.o \
	$(patsubst %.c,%.o,$(sort $(wildcard src/provider/*.c src/format/*.c))) \
	src/http/http_transfer.o src/http/http_engine.o src/http/http_queue.o \
	src/http/retry_policy.o src/http/outage_policy.o src/http/address_policy.o src/http/endpoint_policy.o src/http/endpoint_mask.o \
	src/pool/pool_init.o src/pool/pool_shmem.o src/pool/channel.o src/pool/local.o src/pool/message.o src/pool/worker.o \
	src/pool/pool_info.o \
	src/pool/dispatch.o src/pool/limiter.o src/pool/token_bucket.o src/pool/circuit.o src/pool/circuit_info.o \
	src/stats/stats.o src/stats/stats_views.o \
	src/cache/cache_key.o src/cache/memo.o src/cache/response_cache.o \
	src/auth/sigv4.o src/auth/jwt.o src/auth/strbuf.o \
	src/secret/secret_box.o src/secret/cluster_key.o src/secret/secret_ref.o src/secret/citus_node.o \
	src/exec/request.o src/exec/batch.o src/exec/decode_rows.o src/exec/pipeline.o src/exec/pipeline_window.o src/exec/pipeline_path.o src/exec/predict.o src/exec/predict_answers.o src/exec/debug.o \
	src/exec/ai_functions.o src/exec/select_list.o \
	src/continuous/cq_wake.o src/continuous/cq_launcher.o src/continuous/cq_worker.o src/continuous/cq_process.o \
	src/continuous/cq_dbguard.o src/continuous/cq_cycle.o \
	src/evaluate/metrics.o src/evaluate/cluster_metrics.o src/evaluate/text_metrics.o \
	src/evaluate/evaluate.o src/evaluate/eval_statement.o src/evaluate/eval_collect.o

# Earlier versions' install scripts, frozen as released, and the update
# scripts from each to the next (ALTER EXTENSION mlpredict UPDATE).
DATA        = $(wildcard sql/$(EXTENSION)--*--*.sql) sql/$(EXTENSION)--0.1.0.sql \
              sql/$(EXTENSION)--0.2.0.sql sql/$(EXTENSION)--0.3.0.sql \
              sql/$(EXTENSION)--0.4.0.sql
DATA_built  = sql/$(EXTENSION)--$(EXTVERSION).sql

PG_CPPFLAGS = -I$(srcdir)/src -DMLPREDICT_VERSION=\"$(EXTVERSION)\" $(shell curl-config --cflags)
PG_CFLAGS   = -std=gnu11 -Wall -Wextra -Wno-unused-parameter -Wno-sign-compare -Wno-missing-field-initializers
# -Bsymbolic-functions: calls between the module's own functions bind at
# link time (direct calls, not through the PLT, as PostgreSQL 16+'s hidden
# visibility gives); what the module exports is unchanged.
SHLIB_LINK  = $(shell curl-config --libs) -lssl -lcrypto -Wl,-Bsymbolic-functions

# test/sql/pgvector.sql runs only where pgvector is installed.
REGRESS      = $(patsubst test/sql/%.sql,%,$(sort $(wildcard test/sql/*.sql)))
REGRESS_OPTS = --inputdir=test --outputdir=test --temp-config=test/mlpredict.conf \
	--encoding=UTF8 --no-locale
EXTRA_CLEAN  = test/results test/regression.diffs test/regression.out tmp_check test/tmp_check

PG_CONFIG  ?= pg_config
PGXS       := $(shell $(PG_CONFIG) --pgxs)
ifeq ($(wildcard $(shell $(PG_CONFIG) --sharedir)/extension/vector.control),)
REGRESS    := $(filter-out pgvector,$(REGRESS))
endif
include $(PGXS)

sql/$(EXTENSION)--$(EXTVERSION).sql: sql/$(EXTENSION).sql
	cp $< $@

# A project header must not shadow one of the server's (-Isrc comes first).
all: check-headers
.PHONY: check-headers
check-headers:
	@sh $(srcdir)/scripts/check-headers.sh $(includedir_server)

# Rebuild an object when a header it includes changes (PGXS does not track
# headers unless the server was built with --enable-depend).
%.o: %.c
	$(COMPILE.c) -MMD -MP -o $@ $<
-include $(OBJS:.o=.d)
EXTRA_CLEAN += $(OBJS:.o=.d)

# Plain C unit tests of the parts that need no server: built with the
# system compiler in strict C11, independent of PGXS; "make unit" runs them.
# A test's command-line arguments, if any, go in UNIT_ARGS_<name>.
UNIT_TESTS = test/unit/test_retry_policy test/unit/test_sigv4 test/unit/test_jwt \
	test/unit/test_token_bucket test/unit/test_secret_box test/unit/test_address_policy \
	test/unit/test_endpoint_mask test/unit/test_tensor_shape test/unit/test_outage_policy \
	test/unit/test_circuit test/unit/test_float_parse test/unit/test_metrics test/unit/test_json_schema
# AWS's SigV4 test suite is not part of the repository: it is used where a
# copy lies beside it (or at SIGV4_SUITE), else only our own vectors run.
SIGV4_SUITE ?= $(srcdir)/../shared/testdata/aws4_testsuite
UNIT_ARGS_test_sigv4 = $(wildcard $(SIGV4_SUITE))
EXTRA_CLEAN += $(UNIT_TESTS)

test/unit/test_retry_policy: test/unit/test_retry_policy.c test/unit/unit_check.h src/http/retry_policy.c src/http/retry_policy.h
	$(CC) -std=c11 -Wall -Wextra -Werror -Isrc -o $@ test/unit/test_retry_policy.c src/http/retry_policy.c

test/unit/test_sigv4: test/unit/test_sigv4.c src/auth/sigv4.c src/auth/sigv4.h src/auth/strbuf.c src/auth/strbuf.h
	$(CC) -std=c11 -Wall -Wextra -Werror -Isrc -o $@ test/unit/test_sigv4.c src/auth/sigv4.c src/auth/strbuf.c -lcrypto

test/unit/test_jwt: test/unit/test_jwt.c test/unit/unit_check.h src/auth/jwt.c src/auth/jwt.h src/auth/strbuf.c src/auth/strbuf.h
	$(CC) -std=c11 -Wall -Wextra -Werror -Isrc -o $@ test/unit/test_jwt.c src/auth/jwt.c src/auth/strbuf.c -lcrypto

test/unit/test_token_bucket: test/unit/test_token_bucket.c test/unit/unit_check.h src/pool/token_bucket.c src/pool/token_bucket.h
	$(CC) -std=c11 -Wall -Wextra -Werror -Isrc -o $@ test/unit/test_token_bucket.c src/pool/token_bucket.c -lm

test/unit/test_secret_box: test/unit/test_secret_box.c test/unit/unit_check.h src/secret/secret_box.c src/secret/secret_box.h src/auth/strbuf.c src/auth/strbuf.h
	$(CC) -std=c11 -Wall -Wextra -Werror -Isrc -o $@ test/unit/test_secret_box.c src/secret/secret_box.c src/auth/strbuf.c -lcrypto

test/unit/test_address_policy: test/unit/test_address_policy.c test/unit/unit_check.h src/http/address_policy.c src/http/address_policy.h
	$(CC) -std=c11 -Wall -Wextra -Werror -Isrc -o $@ test/unit/test_address_policy.c src/http/address_policy.c

test/unit/test_endpoint_mask: test/unit/test_endpoint_mask.c test/unit/unit_check.h src/http/endpoint_mask.c src/http/endpoint_mask.h
	$(CC) -std=c11 -Wall -Wextra -Werror -Isrc -o $@ test/unit/test_endpoint_mask.c src/http/endpoint_mask.c
test/unit/test_tensor_shape: test/unit/test_tensor_shape.c test/unit/unit_check.h src/format/tensor_shape.c src/format/tensor_shape.h
	$(CC) -std=c11 -Wall -Wextra -Werror -Isrc -o $@ test/unit/test_tensor_shape.c src/format/tensor_shape.c

test/unit/test_outage_policy: test/unit/test_outage_policy.c test/unit/unit_check.h src/http/outage_policy.c src/http/outage_policy.h src/http/retry_policy.c src/http/retry_policy.h
	$(CC) -std=c11 -Wall -Wextra -Werror -Isrc -o $@ test/unit/test_outage_policy.c src/http/outage_policy.c src/http/retry_policy.c

test/unit/test_circuit: test/unit/test_circuit.c test/unit/unit_check.h src/pool/circuit.c src/pool/circuit.h
	$(CC) -std=c11 -Wall -Wextra -Werror -Isrc -o $@ test/unit/test_circuit.c src/pool/circuit.c

test/unit/test_metrics: test/unit/test_metrics.c test/unit/unit_check.h src/evaluate/metrics.h src/evaluate/metrics.c src/evaluate/cluster_metrics.c src/evaluate/text_metrics.c
	$(CC) -std=c11 -Wall -Wextra -Werror -Isrc -o $@ test/unit/test_metrics.c src/evaluate/metrics.c src/evaluate/cluster_metrics.c src/evaluate/text_metrics.c -lm

# Millions of numbers against strtod/strtof (FLOAT_PARSE_SCALE=N for N
# times as many, FLOAT_PARSE_SEED for another corpus); optimized, or it
# takes long.
test/unit/test_float_parse: test/unit/test_float_parse.c test/unit/float_oracle.h src/types/float_parse.c src/types/float_parse.h src/types/float_pow5.h
	$(CC) -std=c11 -O2 -Wall -Wextra -Werror -Isrc -DFLOAT_PARSE_STATS -o $@ test/unit/test_float_parse.c src/types/float_parse.c -lm

test/unit/test_json_schema: test/unit/test_json_schema.c test/unit/unit_check.h src/types/json_schema.c src/types/json_schema.h
	$(CC) -std=c11 -Wall -Wextra -Werror -Isrc -o $@ test/unit/test_json_schema.c src/types/json_schema.c

.PHONY: unit
unit: $(UNIT_TESTS)
	@set -e; $(foreach t,$(UNIT_TESTS),echo "== $(t)"; ./$(t) $(UNIT_ARGS_$(notdir $(t)));)

# libFuzzer targets (clang with libclang-rt-14-dev) for the pure-C checks
# of the sizes tensor answers state: "make fuzz" builds each with
# AddressSanitizer and UBSan and runs it from its seed corpus
# (test/fuzz/corpus/<target>/, committed) for its share of FUZZ_SECONDS;
# new inputs go to test/fuzz/work/ (not committed), crashes there too.
# Not part of scripts/test.sh: too slow.
FUZZ_CC      ?= clang
FUZZ_SECONDS ?= 60
FUZZ_TARGETS  = triton_tensor binary_format float_parse
FUZZ_FLAGS    = -std=c11 -g -O1 -Isrc -fsanitize=fuzzer,address,undefined \
	-fno-sanitize-recover=undefined -fno-sanitize=function
EXTRA_CLEAN  += $(FUZZ_TARGETS:%=test/fuzz/fuzz_%) test/fuzz/work

test/fuzz/fuzz_%: test/fuzz/fuzz_%.c src/format/tensor_shape.c src/format/tensor_shape.h
	$(FUZZ_CC) $(FUZZ_FLAGS) -o $@ $< src/format/tensor_shape.c

test/fuzz/fuzz_float_parse: test/fuzz/fuzz_float_parse.c test/unit/float_oracle.h src/types/float_parse.c src/types/float_parse.h src/types/float_pow5.h
	$(FUZZ_CC) $(FUZZ_FLAGS) -o $@ $< src/types/float_parse.c -lm

.PHONY: fuzz
fuzz: $(FUZZ_TARGETS:%=test/fuzz/fuzz_%)
	@set -e; $(foreach t,$(FUZZ_TARGETS),echo "== fuzz_$(t) for $$(( $(FUZZ_SECONDS) / $(words $(FUZZ_TARGETS)) ))s"; \
		mkdir -p test/fuzz/work/$(t); \
		./test/fuzz/fuzz_$(t) -max_total_time=$$(( $(FUZZ_SECONDS) / $(words $(FUZZ_TARGETS)) )) \
			-print_final_stats=1 -rss_limit_mb=1024 -timeout=10 \
			-artifact_prefix=test/fuzz/work/$(t)- test/fuzz/work/$(t) test/fuzz/corpus/$(t) 2>&1 | \
			grep -E '^(stat::number_of_executed_units|stat::peak_rss_mb|#[0-9]+ +DONE|==[0-9]+==ERROR|SUMMARY)' || true; \
		! ls test/fuzz/work/$(t)-* >/dev/null 2>&1 || { echo "fuzz_$(t) found a crash: test/fuzz/work/$(t)-*"; exit 1; };)
# The server-side suites under valgrind's memcheck (slow, run by hand or in
# a separate CI step; see the header of scripts/valgrind.sh).
.PHONY: valgrind
valgrind:
	PG_CONFIG="$(PG_CONFIG)" bash scripts/valgrind.sh

# The layering of src/ (src/README.md): includes and calls point down, no
# cycles between files.  Reads the object files, so it runs after a build.
.PHONY: check-layers
check-layers: all
	$(PYTHON3) $(srcdir)/scripts/check-layers.py
PYTHON3 ?= python3
