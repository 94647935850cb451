# mlpredict: PGXS build.  The version lives only in mlpredict.control.
EXTENSION   = mlpredict
EXTVERSION  = $(shell sed -n "s/^default_version *= *'\(.*\)'/\1/p" $(EXTENSION).control)
MODULE_big  = $(EXTENSION)

OBJS = \
	src/mlpredict.o src/guc.o src/util.o \
	src/catalog/connection.o src/catalog/model.o src/catalog/catalog_access.o \
	src/catalog/typed_function.o src/catalog/connection_acl.o \
	src/ddl/lexer.o src/ddl/parser.o src/ddl/execute.o src/ddl/describe.o src/ddl/functions.o \
	src/types/typemap.o src/types/flink_types.o src/types/column_store.o \
	src/types/json_encode.o src/types/json_path.o src/types/json_decode.o \
	src/options/model_options.o src/options/params.o src/options/runtime_options.o \
	$(patsubst %.c,%.o,$(sort $(wildcard src/provider/*.c src/format/*.c))) \
	src/http/http_transfer.o src/http/http_engine.o src/http/http_queue.o \
	src/http/retry_policy.o src/http/address_policy.o src/http/endpoint_policy.o \
	src/pool/pool_shmem.o src/pool/channel.o src/pool/message.o src/pool/worker.o \
	src/pool/dispatch.o src/pool/limiter.o src/pool/token_bucket.o \
	src/stats/stats.o src/stats/stats_views.o \
	src/auth/sigv4.o src/auth/jwt.o src/auth/strbuf.o \
	src/secret/secret_box.o src/secret/cluster_key.o src/secret/secret_ref.o \
	src/exec/request.o src/exec/batch.o src/exec/decode_rows.o src/exec/pipeline.o src/exec/pipeline_path.o src/exec/response_error.o src/exec/predict.o src/exec/debug.o

DATA        = $(wildcard sql/$(EXTENSION)--*--*.sql)
DATA_built  = sql/$(EXTENSION)--$(EXTVERSION).sql

PG_CPPFLAGS = -I$(srcdir)/src -DMLPREDICT_VERSION=\"$(EXTVERSION)\" $(shell curl-config --cflags)
PG_CFLAGS   = -std=gnu11 -Wall -Wextra -Wno-unused-parameter -Wno-sign-compare -Wno-missing-field-initializers
SHLIB_LINK  = $(shell curl-config --libs) -lssl -lcrypto

REGRESS      = $(patsubst test/sql/%.sql,%,$(sort $(wildcard test/sql/*.sql)))
REGRESS_OPTS = --inputdir=test --outputdir=test --temp-config=test/mlpredict.conf
EXTRA_CLEAN  = test/results test/regression.diffs test/regression.out tmp_check test/tmp_check

PG_CONFIG  ?= pg_config
PGXS       := $(shell $(PG_CONFIG) --pgxs)
include $(PGXS)

sql/$(EXTENSION)--$(EXTVERSION).sql: sql/$(EXTENSION).sql
	cp $< $@

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
	test/unit/test_token_bucket test/unit/test_secret_box test/unit/test_address_policy
UNIT_ARGS_test_sigv4 = $(srcdir)/../shared/testdata/aws4_testsuite
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

.PHONY: unit
unit: $(UNIT_TESTS)
	@set -e; $(foreach t,$(UNIT_TESTS),echo "== $(t)"; ./$(t) $(UNIT_ARGS_$(notdir $(t)));)

# The server-side suites under valgrind's memcheck (slow, run by hand or in
# a separate CI step; see the header of scripts/valgrind.sh).
.PHONY: valgrind
valgrind:
	PG_CONFIG="$(PG_CONFIG)" bash scripts/valgrind.sh
