-- Duplicate inputs are called once per statement (the pipelined join and
-- one call per row), with the same outputs, order and on_error results;
-- and the opt-in response cache across statements ('mlpredict.cache_ttl'):
-- hits, misses, expiry, non-deterministic requests, privileges, DROP
-- MODEL, read-only transactions, cache_clear().  Requests are counted at
-- the stand-in.
CREATE EXTENSION IF NOT EXISTS mlpredict;

\i test/helpers/standin.sql
SELECT pg_temp.standin('/_control/reset', 'POST') IS NOT NULL AS reset;

SELECT mlpredict.create_connection('dd-openai', '{"type": "openai", "endpoint": "http://127.0.0.1:18787/v1/chat/completions", "api-key": "sk-test-openai-key"}');
SELECT mlpredict.create_model('dd_echo', 'q STRING', 'a STRING', '{"provider": "openai", "task": "text_generation", "openai.connection": "dd-openai"}');

-- 40 rows: 10 distinct questions, each 3 or 4 times and interleaved, one
-- NULL; question 3 answers slowly, so answers come back out of order
CREATE TABLE dd (id int PRIMARY KEY, q text);
INSERT INTO dd
SELECT g, CASE WHEN g = 17 THEN NULL
               ELSE 'question ' || (g % 10) || CASE WHEN g % 10 = 3 THEN ' [[sleep:80]]' ELSE '' END END
FROM generate_series(1, 40) g;
ANALYZE dd;

-- sent(query): the MLPredict node's requests, duplicate rows and cache
-- lookups (EXPLAIN ANALYZE), and the requests the stand-in saw
CREATE FUNCTION pg_temp.sent(query text) RETURNS text
LANGUAGE plpgsql AS $$
DECLARE
  line text;
  info text := '';
BEGIN
  PERFORM pg_temp.standin('/_control/reset', 'POST');
  FOR line IN EXECUTE 'EXPLAIN (ANALYZE, COSTS OFF, TIMING OFF, SUMMARY OFF) ' || query LOOP
    IF line ~ '(Requests|Duplicate Rows|Cache Hits|Cache Misses):' THEN
      info := info || btrim(line) || ', ';
    END IF;
  END LOOP;
  RETURN info || 'stand-in: ' || (pg_temp.standin('/_control/stats')->>'requests') || ' requests';
END $$;

-- requests(query): the stand-in's count for running query (any plan)
CREATE FUNCTION pg_temp.requests(query text) RETURNS text
LANGUAGE plpgsql AS $$
DECLARE
  n bigint;
BEGIN
  PERFORM pg_temp.standin('/_control/reset', 'POST');
  EXECUTE format('SELECT count(*) FROM (%s) s', query) INTO n;
  RETURN n || ' rows, stand-in: ' || (pg_temp.standin('/_control/stats')->>'requests') || ' requests';
END $$;

-- rows(query, pipelined): the rows in the order they came, as text
CREATE FUNCTION pg_temp.rows(query text, pipelined boolean) RETURNS text[]
LANGUAGE plpgsql AS $$
DECLARE
  result text[];
BEGIN
  PERFORM set_config('mlpredict.enable_pipeline', pipelined::text, true);
  EXECUTE format('SELECT array_agg(r::text ORDER BY n) FROM (SELECT r, row_number() OVER () AS n FROM (%s) r) s', query) INTO result;
  PERFORM set_config('mlpredict.enable_pipeline', 'on', true);
  RETURN result;
END $$;

-- 39 rows with inputs, 10 distinct: 10 requests, 29 rows answered by an
-- earlier identical call
SELECT pg_temp.sent('SELECT id, a FROM dd, LATERAL dd_echo(q)');
SELECT pg_temp.sent('SELECT id, p.a FROM dd, LATERAL mlpredict.ml_predict(''dd_echo'', q) AS p(a text)');
SELECT pg_temp.sent('SELECT id, a FROM dd, LATERAL dd_echo(q, mlpredict.options(ordered => false, max_parallelism => 3))');
-- one call per row (not pipelined) deduplicates too
SET mlpredict.enable_pipeline = off;
SELECT pg_temp.requests('SELECT id, a FROM dd, LATERAL dd_echo(q)');
SELECT pg_temp.requests('SELECT id, p.a FROM dd, LATERAL mlpredict.ml_predict(''dd_echo'', q) AS p(a text)');
-- only calls with the runtime options of the statement's first call share
-- answers (here every other row)
SELECT pg_temp.requests('SELECT id, a FROM dd, LATERAL dd_echo(q, mlpredict.options(retry_count => id % 2))');
RESET mlpredict.enable_pipeline;
-- mlpredict.dedup_memory = 0 turns it off
SET mlpredict.dedup_memory = 0;
SELECT pg_temp.sent('SELECT id, a FROM dd, LATERAL dd_echo(q)');
SET mlpredict.enable_pipeline = off;
SELECT pg_temp.requests('SELECT id, a FROM dd, LATERAL dd_echo(q)');
RESET mlpredict.enable_pipeline;
RESET mlpredict.dedup_memory;

-- ordered output: exactly the rows and order of one call per row, and
-- every duplicate has its first row's answer
SELECT pg_temp.rows('SELECT id, a FROM dd, LATERAL dd_echo(q)', true)
       = pg_temp.rows('SELECT id, a FROM dd, LATERAL dd_echo(q)', false) AS same;
SELECT pg_temp.rows('SELECT id, a FROM dd LEFT JOIN LATERAL dd_echo(q) ON true', true)
       = pg_temp.rows('SELECT id, a FROM dd LEFT JOIN LATERAL dd_echo(q) ON true', false) AS same_left;
SELECT id, a FROM dd, LATERAL dd_echo(q) WHERE id <= 14;
SELECT count(DISTINCT a) AS answers, count(*) AS rows FROM dd, LATERAL dd_echo(q, mlpredict.options(ordered => false));
-- under a LIMIT, and rescanned in a nested loop
SELECT id, a FROM dd, LATERAL dd_echo(q) WHERE id > 10 ORDER BY id LIMIT 3;
SELECT pg_temp.requests('SELECT n, id, a FROM generate_series(1, 3) n, LATERAL (SELECT id, a FROM dd, LATERAL dd_echo(q || n) WHERE dd.id <= 20 OFFSET 0) s');

-- on_error with duplicates: the failing input is sent once, and every
-- copy of it gets the same result
CREATE TABLE dd_bad (id int PRIMARY KEY, q text);
INSERT INTO dd_bad
SELECT g, CASE WHEN g % 3 = 0 THEN 'bad [[status:400]]' ELSE 'good ' || (g % 2) END
FROM generate_series(1, 12) g;
SELECT pg_temp.sent('SELECT id, a FROM dd_bad, LATERAL dd_echo(q, mlpredict.options(on_error => ''null''))');
SELECT id, a FROM dd_bad, LATERAL dd_echo(q, mlpredict.options(on_error => 'null')) ORDER BY id;
SELECT id, a FROM dd_bad, LATERAL dd_echo(q, mlpredict.options(on_error => 'skip')) ORDER BY id;
SELECT pg_temp.rows('SELECT id, a FROM dd_bad, LATERAL dd_echo(q, mlpredict.options(on_error => ''skip''))', true)
       = pg_temp.rows('SELECT id, a FROM dd_bad, LATERAL dd_echo(q, mlpredict.options(on_error => ''skip''))', false) AS same_skip;
SET mlpredict.enable_pipeline = off;
SELECT pg_temp.requests('SELECT id, a FROM dd_bad, LATERAL dd_echo(q, mlpredict.options(on_error => ''null''))');
SELECT pg_temp.requests('SELECT id, a FROM dd_bad, LATERAL dd_echo(q, mlpredict.options(on_error => ''skip''))');
RESET mlpredict.enable_pipeline;
\set VERBOSITY terse
SELECT id, a FROM dd_bad, LATERAL dd_echo(q) ORDER BY id;
\set VERBOSITY default

-- the response cache: options are checked
SELECT mlpredict.create_model('dd_badttl', 'q STRING', 'a STRING', '{"provider": "openai", "task": "text_generation", "openai.connection": "dd-openai", "mlpredict.cache_ttl": "banana"}');
SELECT mlpredict.create_model('dd_badttl', 'q STRING', 'a STRING', '{"provider": "openai", "task": "text_generation", "openai.connection": "dd-openai", "mlpredict.cache_ttl": "0 seconds"}');
SELECT mlpredict.create_model('dd_badttl', 'q STRING', 'a STRING', '{"provider": "openai", "task": "text_generation", "openai.connection": "dd-openai", "mlpredict.cache_ttl": "1 hour", "mlpredict.cache_nondeterministic": "maybe"}');
SELECT * FROM mlpredict.execute($$CREATE MODEL dd_cached INPUT (q STRING) OUTPUT (a STRING) WITH ('provider' = 'openai', 'task' = 'text_generation', 'openai.connection' = 'dd-openai', 'openai.params.temperature' = '0', 'mlpredict.cache_ttl' = '1 hour')$$);

-- the first statement misses and stores (10 distinct inputs), the second
-- is answered from the cache without a request
SELECT mlpredict.stat_reset();
SELECT pg_temp.sent('SELECT id, a FROM dd, LATERAL dd_cached(q)');
SELECT pg_temp.sent('SELECT id, a FROM dd, LATERAL dd_cached(q)');
SELECT pg_temp.rows('SELECT id, a FROM dd, LATERAL dd_cached(q)', true)
       = pg_temp.rows('SELECT id, a FROM dd, LATERAL dd_echo(q)', true) AS same_as_uncached;
SET mlpredict.enable_pipeline = off;
SELECT pg_temp.requests('SELECT id, a FROM dd, LATERAL dd_cached(q)');
SELECT pg_temp.requests('SELECT id, a FROM dd, LATERAL dd_cached(q || '' serial'')');
SELECT pg_temp.requests('SELECT id, a FROM dd, LATERAL dd_cached(q || '' serial'')');
RESET mlpredict.enable_pipeline;
SELECT model, calls, rows, cache_hits, cache_misses FROM mlpredict.stat_models WHERE model = 'public.dd_cached';
SELECT count(*) AS entries, min(version) AS version, bool_and(expires_at > created_at) AS expire_later
FROM mlpredict.response_cache WHERE name = 'dd_cached';
-- failures are not stored
SELECT pg_temp.sent('SELECT id, a FROM dd_bad, LATERAL dd_cached(q, mlpredict.options(on_error => ''null''))');
SELECT pg_temp.sent('SELECT id, a FROM dd_bad, LATERAL dd_cached(q, mlpredict.options(on_error => ''null''))');

-- expiry: after its time to live an entry is not used, and is deleted
SELECT * FROM mlpredict.execute($$CREATE MODEL dd_short INPUT (q STRING) OUTPUT (a STRING) WITH ('provider' = 'openai', 'task' = 'text_generation', 'openai.connection' = 'dd-openai', 'openai.params.temperature' = '0', 'mlpredict.cache_ttl' = '1 second')$$);
SELECT pg_temp.sent('SELECT id, a FROM dd, LATERAL dd_short(q) WHERE id <= 5');
SELECT pg_temp.sent('SELECT id, a FROM dd, LATERAL dd_short(q) WHERE id <= 5');
SELECT pg_sleep(1.2);
SELECT count(*) AS expired FROM mlpredict.response_cache WHERE name = 'dd_short' AND expires_at <= now();
SELECT pg_temp.sent('SELECT id, a FROM dd, LATERAL dd_short(q) WHERE id <= 5');
SELECT count(*) AS expired_left FROM mlpredict.response_cache WHERE name = 'dd_short' AND expires_at <= now();
-- changed options (ALTER MODEL SET) give new keys: the old entries no
-- longer match
SELECT * FROM mlpredict.execute($$ALTER MODEL dd_short SET ('mlpredict.cache_ttl' = '1 hour')$$);
SELECT pg_temp.sent('SELECT id, a FROM dd, LATERAL dd_short(q) WHERE id <= 5');
SELECT pg_temp.sent('SELECT id, a FROM dd, LATERAL dd_short(q) WHERE id <= 5');

-- non-deterministic requests (temperature unset, or above 0) are never
-- cached, unless the model says so
SELECT * FROM mlpredict.execute($$CREATE MODEL dd_warm INPUT (q STRING) OUTPUT (a STRING) WITH ('provider' = 'openai', 'task' = 'text_generation', 'openai.connection' = 'dd-openai', 'openai.params.temperature' = '0.7', 'mlpredict.cache_ttl' = '1 hour')$$);
SELECT * FROM mlpredict.execute($$CREATE MODEL dd_unset INPUT (q STRING) OUTPUT (a STRING) WITH ('provider' = 'openai', 'task' = 'text_generation', 'openai.connection' = 'dd-openai', 'mlpredict.cache_ttl' = '1 hour')$$);
SELECT * FROM mlpredict.execute($$CREATE MODEL dd_asked INPUT (q STRING) OUTPUT (a STRING) WITH ('provider' = 'openai', 'task' = 'text_generation', 'openai.connection' = 'dd-openai', 'mlpredict.cache_ttl' = '1 hour', 'mlpredict.cache_nondeterministic' = 'true')$$);
SELECT pg_temp.sent('SELECT id, a FROM dd, LATERAL dd_warm(q) WHERE id <= 5');
SELECT pg_temp.sent('SELECT id, a FROM dd, LATERAL dd_warm(q) WHERE id <= 5');
SELECT pg_temp.sent('SELECT id, a FROM dd, LATERAL dd_unset(q) WHERE id <= 5');
SELECT pg_temp.sent('SELECT id, a FROM dd, LATERAL dd_unset(q) WHERE id <= 5');
SELECT pg_temp.sent('SELECT id, a FROM dd, LATERAL dd_asked(q) WHERE id <= 5');
SELECT pg_temp.sent('SELECT id, a FROM dd, LATERAL dd_asked(q) WHERE id <= 5');
SELECT name, count(*) FROM mlpredict.response_cache WHERE name IN ('dd_warm', 'dd_unset', 'dd_asked') GROUP BY name ORDER BY name;

-- a read-only transaction reads the cache and stores nothing (the node's
-- own counts: the stand-in helper writes a temporary table)
CREATE FUNCTION pg_temp.explained(query text) RETURNS text
LANGUAGE plpgsql AS $$
DECLARE
  line text;
  info text := '';
BEGIN
  FOR line IN EXECUTE 'EXPLAIN (ANALYZE, COSTS OFF, TIMING OFF, SUMMARY OFF) ' || query LOOP
    IF line ~ '(Requests|Duplicate Rows|Cache Hits|Cache Misses):' THEN
      info := info || btrim(line) || ' ';
    END IF;
  END LOOP;
  RETURN info;
END $$;
BEGIN READ ONLY;
SELECT pg_temp.explained('SELECT id, a FROM dd, LATERAL dd_cached(q || '' read only'') WHERE id <= 5');
SELECT pg_temp.explained('SELECT id, a FROM dd, LATERAL dd_cached(q || '' read only'') WHERE id <= 5');
SELECT pg_temp.explained('SELECT id, a FROM dd, LATERAL dd_cached(q) WHERE id <= 5');
SET LOCAL mlpredict.enable_pipeline = off;
SELECT count(*) FROM dd, LATERAL dd_cached(q || ' read only serial') WHERE id <= 5;
COMMIT;
SELECT count(*) AS stored_read_only FROM mlpredict.response_cache WHERE outputs[1] LIKE '%read only%';

-- privileges: the table is the extension owner's; a role without EXECUTE
-- on the model gets no answer, cached or not; only the owner clears
CREATE ROLE regress_dd_reader;
CREATE ROLE regress_dd_user;
GRANT SELECT ON dd TO regress_dd_reader, regress_dd_user;
SELECT * FROM mlpredict.execute('GRANT EXECUTE ON MODEL dd_cached TO regress_dd_user');
SET ROLE regress_dd_reader;
SELECT count(*) FROM mlpredict.response_cache;
SELECT id, a FROM dd, LATERAL dd_cached(q) WHERE id <= 2;
SELECT id, p.a FROM dd, LATERAL mlpredict.ml_predict('dd_cached', q) AS p(a text) WHERE id <= 2;
SET mlpredict.enable_pipeline = off;
SELECT id, p.a FROM dd, LATERAL mlpredict.ml_predict('dd_cached', q) AS p(a text) WHERE id <= 2;
RESET mlpredict.enable_pipeline;
SELECT mlpredict.cache_clear('dd_cached');
SELECT mlpredict.cache_clear();
RESET ROLE;
SET ROLE regress_dd_user;
SELECT pg_temp.explained('SELECT id, a FROM dd, LATERAL dd_cached(q) WHERE id <= 5');
SELECT mlpredict.cache_clear('dd_cached');
RESET ROLE;

-- cache_clear() by the owner: one version, the model, everything
SELECT mlpredict.cache_clear('dd_short$1') AS cleared_v1;
SELECT mlpredict.cache_clear('dd_short') AS cleared_model;
SELECT count(*) AS left_short FROM mlpredict.response_cache WHERE name = 'dd_short';

-- DROP MODEL removes its entries
SELECT count(*) > 0 AS has_entries FROM mlpredict.response_cache WHERE name = 'dd_asked';
SELECT mlpredict.drop_model('dd_asked');
SELECT count(*) AS after_drop FROM mlpredict.response_cache WHERE name = 'dd_asked';
SELECT mlpredict.cache_clear() >= 0 AS cleared_all;
SELECT count(*) AS left_all FROM mlpredict.response_cache;

-- pg_dump leaves the cache out: it is not a configuration table
SELECT count(*) AS dumped FROM pg_extension e, unnest(e.extconfig) c WHERE e.extname = 'mlpredict' AND c = 'mlpredict.response_cache'::regclass;

DROP OWNED BY regress_dd_reader, regress_dd_user;
DROP ROLE regress_dd_reader, regress_dd_user;

DROP TABLE dd, dd_bad;
SET client_min_messages = warning;
DROP EXTENSION mlpredict CASCADE;
RESET client_min_messages;
