-- The pipelined executor (Custom Scan "MLPredict"): for every join form the
-- rows are the same, values and order, as one call per row
-- (mlpredict.enable_pipeline = off), with NULL inputs, errors and on_error.
CREATE EXTENSION IF NOT EXISTS mlpredict;

\i test/helpers/standin.sql
SELECT pg_temp.standin('/_control/reset', 'POST') IS NOT NULL AS reset;

SELECT mlpredict.create_connection('pipe-openai', '{"type": "openai", "endpoint": "http://127.0.0.1:18787/v1/chat/completions", "api-key": "sk-test-openai-key"}');
SELECT mlpredict.create_model('echo', 'q STRING', 'a STRING', '{"provider": "openai", "task": "text_generation", "openai.connection": "pipe-openai"}');

-- 60 questions; every 7th is NULL, and some answer slowly, so that answers
-- come back out of order
CREATE TABLE questions (id int PRIMARY KEY, q text);
INSERT INTO questions
SELECT g, CASE WHEN g % 7 = 0 THEN NULL
               WHEN g % 5 = 1 THEN 'question ' || g || ' [[sleep:' || (60 - g) || ']]'
               ELSE 'question ' || g END
FROM generate_series(1, 60) g;
ANALYZE questions;

-- same(query): runs query pipelined and one call per row and compares the
-- rows in the order they came; says whether the plan was pipelined
CREATE FUNCTION pg_temp.same(query text) RETURNS text
LANGUAGE plpgsql AS $$
DECLARE
  piped text[];
  serial text[];
  plan_line text;
  pipelined boolean := false;
BEGIN
  PERFORM set_config('mlpredict.enable_pipeline', 'on', true);
  FOR plan_line IN EXECUTE 'EXPLAIN (COSTS OFF) ' || query LOOP
    pipelined := pipelined OR plan_line LIKE '%Custom Scan (MLPredict)%';
  END LOOP;
  EXECUTE format('SELECT array_agg(r::text ORDER BY n) FROM (SELECT r, row_number() OVER () AS n FROM (%s) r) s', query) INTO piped;
  PERFORM set_config('mlpredict.enable_pipeline', 'off', true);
  EXECUTE format('SELECT array_agg(r::text ORDER BY n) FROM (SELECT r, row_number() OVER () AS n FROM (%s) r) s', query) INTO serial;
  PERFORM set_config('mlpredict.enable_pipeline', 'on', true);
  RETURN CASE WHEN pipelined THEN 'pipelined' ELSE 'not pipelined' END || ', ' ||
         coalesce(cardinality(piped), 0) || ' rows, ' ||
         CASE WHEN piped IS NOT DISTINCT FROM serial THEN 'same' ELSE 'DIFFERENT' END;
END $$;

-- the plans
EXPLAIN (COSTS OFF) SELECT id, a FROM questions, LATERAL echo(q);
EXPLAIN (COSTS OFF) SELECT id, p.answer FROM questions LEFT JOIN LATERAL mlpredict.ml_predict('echo', q) AS p(answer text) ON true WHERE id < 10;
EXPLAIN (COSTS OFF) SELECT id, a FROM questions, LATERAL echo(q, mlpredict.options(max_parallelism => 4, ordered => false, on_error => 'null')) ORDER BY id DESC;
EXPLAIN (COSTS OFF) SELECT id, a FROM questions, LATERAL echo(q) ORDER BY id DESC LIMIT 3;
EXPLAIN (VERBOSE, COSTS OFF) SELECT id, a FROM questions, LATERAL echo(q) WHERE a LIKE '%1%';

-- every join form gives the same rows in the same order
SELECT pg_temp.same('SELECT id, a FROM questions, LATERAL echo(q)');
SELECT pg_temp.same('SELECT id, p.* FROM questions CROSS JOIN LATERAL mlpredict.ml_predict(''echo'', q) AS p(answer text)');
SELECT pg_temp.same('SELECT id, e.a FROM questions JOIN LATERAL echo(q) e ON true');
SELECT pg_temp.same('SELECT id, e.a FROM questions LEFT JOIN LATERAL echo(q) e ON true');
SELECT pg_temp.same('SELECT id, a FROM questions, LATERAL echo(q) WHERE a LIKE ''%1%'' AND id > 5');
SELECT pg_temp.same('SELECT id, a FROM questions, LATERAL echo(q) WHERE a IS NULL');
SELECT pg_temp.same('SELECT id, upper(a) FROM questions, LATERAL echo(q || '' more'') ORDER BY id DESC');
SELECT pg_temp.same('SELECT id, a FROM questions, LATERAL echo(q) ORDER BY a NULLS FIRST, id LIMIT 7');
SELECT pg_temp.same('SELECT id, a FROM questions, LATERAL echo(q) LIMIT 5');
SELECT pg_temp.same('SELECT id, a FROM questions, LATERAL echo(q) LIMIT 5 OFFSET 20');
SELECT pg_temp.same('SELECT q.id, e.a FROM questions q JOIN questions q2 ON q2.id = q.id + 1, LATERAL echo(q.q || q2.id) e');
SELECT pg_temp.same('SELECT id, a FROM (SELECT * FROM questions WHERE id % 2 = 0) s, LATERAL echo(q)');
SELECT pg_temp.same('SELECT id, a FROM questions, LATERAL echo(q, mlpredict.options(max_parallelism => 1))');
SELECT pg_temp.same('SELECT id, a FROM questions, LATERAL echo(q, mlpredict.options(async_enabled => false))');
SELECT pg_temp.same('SELECT count(*), count(a) FROM questions, LATERAL echo(q)');
-- the model name as a parameter-free expression
SELECT pg_temp.same('SELECT id, p.answer FROM questions, LATERAL mlpredict.ml_predict(''ec'' || ''ho'', q) AS p(answer text)');

-- one request per non-NULL row, none more
SELECT pg_temp.standin('/_control/reset', 'POST') IS NOT NULL AS reset;
SELECT count(*) AS rows, count(a) AS answered FROM questions, LATERAL echo(q);
SELECT (pg_temp.standin('/_control/stats'))->'by_route' AS requests;

-- ordered => false: the same rows, in the order they complete
SELECT count(*) AS rows,
       array_agg(id ORDER BY id) = (SELECT array_agg(id ORDER BY id) FROM questions) AS same_rows,
       bool_and(a IS NOT DISTINCT FROM replace(replace(q, ' [[sleep:' || (60 - id) || ']]', ''), 'question', 'echo: question')) AS right_answers
FROM questions, LATERAL echo(q, mlpredict.options(ordered => false));
-- the slow rows (every 5th from 1, slowest first) come after the fast ones
WITH r AS (SELECT id, row_number() OVER () AS n FROM questions, LATERAL echo(q, mlpredict.options(ordered => false)))
SELECT (SELECT max(n) FROM r WHERE id % 5 <> 1 AND id <= 30) < (SELECT max(n) FROM r WHERE id = 1) AS slow_first_row_last;

-- a LIMIT pays for few calls: rows returned plus the ones started meanwhile
SELECT pg_temp.standin('/_control/reset', 'POST') IS NOT NULL AS reset;
SELECT id, a FROM questions, LATERAL echo(q) WHERE id > 1 LIMIT 3;
SELECT ((pg_temp.standin('/_control/stats'))->'by_route'->>'openai.chat')::int <= 7 AS few_calls;

-- INSERT ... SELECT and CREATE TABLE AS
CREATE TABLE answers_piped (id int, a text);
CREATE TABLE answers_serial (id int, a text);
INSERT INTO answers_piped SELECT id, a FROM questions, LATERAL echo(q);
SET mlpredict.enable_pipeline = off;
INSERT INTO answers_serial SELECT id, a FROM questions, LATERAL echo(q);
CREATE TABLE ctas_serial AS SELECT id, a FROM questions, LATERAL echo(q);
RESET mlpredict.enable_pipeline;
EXPLAIN (COSTS OFF) CREATE TABLE ctas_piped AS SELECT id, a FROM questions, LATERAL echo(q);
CREATE TABLE ctas_piped AS SELECT id, a FROM questions, LATERAL echo(q);
SELECT (SELECT count(*) FROM answers_piped) AS inserted,
       NOT EXISTS (SELECT * FROM answers_piped EXCEPT SELECT * FROM answers_serial) AND
       NOT EXISTS (SELECT * FROM answers_serial EXCEPT SELECT * FROM answers_piped) AS same_insert,
       NOT EXISTS (SELECT * FROM ctas_piped EXCEPT SELECT * FROM ctas_serial) AND
       (SELECT count(*) FROM ctas_piped) = (SELECT count(*) FROM ctas_serial) AS same_ctas;

-- errors: a failing row raises the same error, after the same rows
INSERT INTO questions VALUES (100, 'bad [[status:400]]'), (101, 'fine'), (102, 'also bad [[bad-json]]');
SELECT id, a FROM questions, LATERAL echo(q) WHERE id >= 100;
SET mlpredict.enable_pipeline = off;
SELECT id, a FROM questions, LATERAL echo(q) WHERE id >= 100;
RESET mlpredict.enable_pipeline;
BEGIN;
DECLARE rows_before_error CURSOR FOR SELECT id, a FROM questions, LATERAL echo(q) WHERE id >= 60 ORDER BY id;
FETCH 1 FROM rows_before_error;
FETCH 1 FROM rows_before_error;
ROLLBACK;
-- on_error => null gives NULL outputs, skip drops the row (a LEFT join keeps it)
SELECT pg_temp.same('SELECT id, a FROM questions, LATERAL echo(q, mlpredict.options(on_error => ''null'', retry_count => 0)) WHERE id >= 98');
SELECT pg_temp.same('SELECT id, a FROM questions, LATERAL echo(q, mlpredict.options(on_error => ''skip'', retry_count => 0)) WHERE id >= 98');
SELECT pg_temp.same('SELECT id, a FROM questions LEFT JOIN LATERAL echo(q, mlpredict.options(on_error => ''skip'', retry_count => 0)) ON true WHERE id >= 98');
SELECT id, a FROM questions, LATERAL echo(q, mlpredict.options(on_error => 'null', retry_count => 0)) WHERE id >= 98 ORDER BY id;
SELECT id, a FROM questions, LATERAL echo(q, mlpredict.options(on_error => 'skip', retry_count => 0)) WHERE id >= 98 ORDER BY id;
SELECT id, a FROM questions LEFT JOIN LATERAL echo(q, mlpredict.options(on_error => 'skip', retry_count => 0)) ON true WHERE id >= 98 ORDER BY id;
SELECT * FROM echo('x', mlpredict.options(on_error => 'ignore'));
SELECT mlpredict.map('on_error', 'SKIP', 'ordered', 'false');
DELETE FROM questions WHERE id >= 100;

-- a cursor fetches in steps; the rows match
BEGIN;
DECLARE c CURSOR FOR SELECT id, a FROM questions, LATERAL echo(q);
FETCH 3 FROM c;
FETCH 2 FROM c;
CLOSE c;
COMMIT;

-- rescans: a correlated subquery runs the pipelined join again for each
-- outer row, with new parameters (the plan is shown without the aggregate's
-- ORDER BY, which PostgreSQL 16 and later plan as a Sort below it)
EXPLAIN (COSTS OFF) SELECT k, (SELECT string_agg(a, ', ') FROM questions, LATERAL echo(q || ' k' || v.k) WHERE id <= v.k) FROM (VALUES (1), (3), (2)) v(k);
SELECT pg_temp.same('SELECT k, (SELECT string_agg(a, '', '' ORDER BY id) FROM questions, LATERAL echo(q || '' k'' || v.k) WHERE id <= v.k) FROM (VALUES (1), (3), (2)) v(k)');
SELECT k, (SELECT string_agg(a, ', ') FROM (SELECT a FROM questions, LATERAL echo(q || ' k' || v.k) WHERE id <= 4 LIMIT v.k) s) FROM (VALUES (1), (3), (2)) v(k);

-- parallel query: workers run the join on their share of the outer rows
SET parallel_setup_cost = 0;
SET parallel_tuple_cost = 0;
SET min_parallel_table_scan_size = 0;
SET max_parallel_workers_per_gather = 2;
EXPLAIN (COSTS OFF) SELECT id, a FROM questions, LATERAL echo(q);
SELECT count(*) AS rows, count(a) AS answered,
       bool_and(a = replace(replace(q, ' [[sleep:' || (60 - id) || ']]', ''), 'question', 'echo: question')) AS right_answers
FROM questions, LATERAL echo(q);
RESET parallel_setup_cost;
RESET parallel_tuple_cost;
RESET min_parallel_table_scan_size;
RESET max_parallel_workers_per_gather;

-- EXPLAIN ANALYZE: what the calls did (the same on every PostgreSQL major:
-- without buffers, which 18 shows by default, and with whole row counts,
-- which 18 prints as "rows=20.00"; the window's peaks depend on timing and
-- the allocator, so their numbers are masked)
CREATE FUNCTION pg_temp.explain_analyze(query text) RETURNS TABLE ("QUERY PLAN" text)
LANGUAGE plpgsql AS $$
BEGIN
  FOR "QUERY PLAN" IN EXECUTE 'EXPLAIN (ANALYZE, COSTS OFF, TIMING OFF, SUMMARY OFF, BUFFERS OFF) ' || query LOOP
    "QUERY PLAN" := regexp_replace("QUERY PLAN", 'rows=(\d+)\.00 ', 'rows=\1 ', 'g');
    "QUERY PLAN" := regexp_replace("QUERY PLAN", '(Peak (Rows|Memory) Buffered): \d+', '\1: N');
    RETURN NEXT;
  END LOOP;
END $$;
SELECT * FROM pg_temp.explain_analyze($$
SELECT id, a FROM questions, LATERAL echo(q, mlpredict.options(max_parallelism => 4)) WHERE id <= 20$$);

-- not pipelined: options that change per row and enable_pipeline = off
-- (the results are the same); the call in the select list is pipelined too
-- (select_list.c; test/sql/ai_functions.sql has the cases)
SELECT pg_temp.same('SELECT id, a FROM questions, LATERAL echo(q, mlpredict.options(retry_count => id % 2)) WHERE id < 5');
SELECT pg_temp.same('SELECT id, echo(q) FROM questions WHERE id < 5');
SET mlpredict.enable_pipeline = off;
EXPLAIN (COSTS OFF) SELECT id, a FROM questions, LATERAL echo(q);
RESET mlpredict.enable_pipeline;

-- privileges: calling the model still needs EXECUTE on its function
CREATE ROLE pipe_reader;
GRANT SELECT ON questions TO pipe_reader;
SET ROLE pipe_reader;
SELECT id, a FROM questions, LATERAL echo(q) LIMIT 1;
SELECT id, p.a FROM questions, LATERAL mlpredict.ml_predict('echo', q) AS p(a text) LIMIT 1;
RESET ROLE;
-- granted the model's function, the role still needs EXECUTE on ml_predict,
-- which the function calls as the caller
GRANT EXECUTE ON FUNCTION echo(text, mlpredict.predict_options) TO pipe_reader;
REVOKE EXECUTE ON FUNCTION mlpredict.ml_predict(text, "any") FROM PUBLIC;
SET ROLE pipe_reader;
SELECT id, a FROM questions, LATERAL echo(q) LIMIT 1;
SET mlpredict.enable_pipeline = off;
SELECT id, a FROM questions, LATERAL echo(q) LIMIT 1;
RESET mlpredict.enable_pipeline;
RESET ROLE;
GRANT EXECUTE ON FUNCTION mlpredict.ml_predict(text, "any") TO PUBLIC;
SET ROLE pipe_reader;
SELECT id, a FROM questions, LATERAL echo(q) WHERE id = 2;
RESET ROLE;
REVOKE EXECUTE ON FUNCTION echo(text, mlpredict.predict_options) FROM pipe_reader;
-- an empty outer side never looks at the model, as before
SELECT * FROM questions, LATERAL mlpredict.ml_predict('no_such_model', q) AS p(a text) WHERE false;
SELECT * FROM (SELECT * FROM questions WHERE id < 0) s, LATERAL mlpredict.ml_predict('no_such_model', q) AS p(a text);
SELECT * FROM questions, LATERAL mlpredict.ml_predict('no_such_model', q) AS p(a text);
-- a column list that does not match the model, as before
SELECT * FROM questions, LATERAL mlpredict.ml_predict('echo', q) AS p(a int);

DROP TABLE questions, answers_piped, answers_serial, ctas_piped, ctas_serial;
DROP ROLE pipe_reader;
DROP EXTENSION mlpredict CASCADE;
