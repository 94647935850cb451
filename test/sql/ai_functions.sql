-- AI_COMPLETE and AI_EMBEDDING (mlpredict.ai_complete, mlpredict.ai_embedding),
-- and model calls in select lists, which are pipelined like the LATERAL join
-- (the same rows as one call per row, mlpredict.enable_pipeline = off).
CREATE EXTENSION IF NOT EXISTS mlpredict;

\i test/helpers/standin.sql
SELECT pg_temp.standin('/_control/reset', 'POST') IS NOT NULL AS reset;

SELECT mlpredict.create_connection('ai-chat', '{"type": "openai", "endpoint": "http://127.0.0.1:18787/v1/chat/completions", "api-key": "sk-test-openai-key"}');
SELECT mlpredict.create_connection('ai-embed', '{"type": "openai", "endpoint": "http://127.0.0.1:18787/v1/embeddings", "api-key": "sk-test-openai-key"}');
-- Confluent's own statements (the AI_COMPLETE and AI_EMBEDDING examples)
SELECT * FROM mlpredict.execute($$CREATE MODEL chat INPUT (prompt STRING) OUTPUT (response STRING) WITH ('provider' = 'openai', 'task' = 'text_generation', 'openai.connection' = 'ai-chat')$$);
SELECT * FROM mlpredict.execute($$CREATE MODEL embed INPUT (text STRING) OUTPUT (embedding ARRAY<FLOAT>) WITH ('provider' = 'openai', 'task' = 'embedding', 'openai.connection' = 'ai-embed', 'openai.batch_size' = '4', 'openai.params.dimensions' = '3')$$);
SELECT mlpredict.create_model('embed8', 'text STRING', 'embedding ARRAY<DOUBLE>', '{"provider": "openai", "task": "embedding", "openai.connection": "ai-embed", "openai.params.dimensions": 3}');
SELECT mlpredict.create_model('sentimentmodel', 'text STRING', 'sentiment STRING, score DOUBLE', '{"provider": "openai", "task": "classification", "openai.connection": "ai-chat", "openai.input_format": "JSON"}');
SELECT mlpredict.create_model('pair', 'a STRING, b STRING', 'answer STRING', '{"provider": "openai", "task": "classification", "openai.connection": "ai-chat", "openai.input_format": "JSON"}');
SELECT mlpredict.create_connection('ai-sagemaker', '{"type": "sagemaker", "endpoint": "http://runtime.sagemaker.us-east-1.localhost:18787/endpoints/churn-multi/invocations", "aws-access-key": "AKIAMLPREDICTTEST01", "aws-secret-key": "mlpredict+test/Secret/Key0123456789abcdefGH"}');
SELECT mlpredict.create_model('churnmodel', 'credit_limit INT, age INT', 'label INT, score DOUBLE, cluster INT', '{"provider": "sagemaker", "task": "classification", "sagemaker.connection": "ai-sagemaker", "sagemaker.input_format": "JSON"}');
SELECT mlpredict.create_model('counter', 'n INT', 'answer STRING', '{"provider": "openai", "task": "classification", "openai.connection": "ai-chat", "openai.input_format": "JSON"}');

-- 24 questions; every 6th is NULL, some answer slowly (out of order)
CREATE TABLE questions (id int PRIMARY KEY, q text);
INSERT INTO questions
SELECT g, CASE WHEN g % 6 = 0 THEN NULL
               WHEN g % 5 = 1 THEN 'question ' || g || ' [[sleep:' || (30 - g) || ']]'
               ELSE 'question ' || g END
FROM generate_series(1, 24) g;
ANALYZE questions;
CREATE TABLE customers (id int PRIMARY KEY, credit_limit int, age int);
INSERT INTO customers SELECT g, CASE WHEN g % 5 = 0 THEN NULL ELSE 10 * g END, 20 + g FROM generate_series(1, 12) g;
ANALYZE customers;

-- same(query): pipelined and one call per row, compared row by row in order
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

-- scalar calls
SELECT mlpredict.ai_complete('chat', 'Write a haiku about Flink');
SELECT mlpredict.ai_embedding('embed', 'hello'), mlpredict.ai_embedding('embed8', 'hello');
SELECT pg_typeof(mlpredict.ai_embedding('embed8', 'hello'));
SELECT mlpredict.ai_complete('public.chat$1', 'versioned'), mlpredict.ai_complete('chat$latest', 'latest');
SELECT mlpredict.ai_complete('chat', 'with options', mlpredict.options(retry_count => 0, client_timeout => 5));

-- NULL input: NULL, nothing sent
SELECT pg_temp.standin('/_control/reset', 'POST') IS NOT NULL AS reset;
SELECT mlpredict.ai_complete('chat', NULL) IS NULL AS null_answer, mlpredict.ai_embedding('embed', NULL) IS NULL AS null_embedding;
SELECT coalesce((pg_temp.standin('/_control/stats'))->'by_route', '{}') AS requests;
SELECT mlpredict.ai_complete(NULL, 'x');

-- models of the wrong shape: 42809 with the columns and a hint
-- (psql's LAST_ERROR_SQLSTATE shows the SQLSTATE without the source
-- file's line numbers that VERBOSITY verbose would print)
SELECT mlpredict.ai_complete('embed', 'hello');
\echo SQLSTATE :LAST_ERROR_SQLSTATE
SELECT mlpredict.ai_embedding('chat', 'hello');
\echo SQLSTATE :LAST_ERROR_SQLSTATE
SELECT mlpredict.ai_complete('sentimentmodel', 'hello');
\echo SQLSTATE :LAST_ERROR_SQLSTATE
SELECT mlpredict.ai_complete('pair', 'hello');
\echo SQLSTATE :LAST_ERROR_SQLSTATE
SELECT mlpredict.ai_complete('counter', 'hello');
\echo SQLSTATE :LAST_ERROR_SQLSTATE
SELECT id, r FROM questions, LATERAL mlpredict.ai_embedding('chat', q) AS r WHERE id < 3;
\echo SQLSTATE :LAST_ERROR_SQLSTATE
SELECT mlpredict.ai_complete('no_such_model', 'hello');
\echo SQLSTATE :LAST_ERROR_SQLSTATE

-- errors and on_error: a failed call raises, or gives NULL (null and skip
-- alike: a scalar function always gives a value)
SELECT mlpredict.ai_complete('chat', 'bad [[status:400]]', mlpredict.options(retry_count => 0));
SELECT mlpredict.ai_complete('chat', 'bad [[status:400]]', mlpredict.options(retry_count => 0, on_error => 'null')) IS NULL AS null_on_error;
SELECT mlpredict.ai_complete('chat', 'bad [[status:400]]', mlpredict.options(retry_count => 0, on_error => 'skip')) IS NULL AS skip_is_null;

-- in FROM: LATERAL ... AS r(answer) is pipelined
EXPLAIN (COSTS OFF) SELECT id, r.answer FROM questions, LATERAL mlpredict.ai_complete('chat', questions.q) AS r(answer);
SELECT pg_temp.same('SELECT id, r.answer FROM questions, LATERAL mlpredict.ai_complete(''chat'', questions.q) AS r(answer)');
SELECT pg_temp.same('SELECT id, e FROM questions, LATERAL mlpredict.ai_embedding(''embed'', q) AS e');
SELECT pg_temp.same('SELECT id, e FROM questions, LATERAL mlpredict.ai_embedding(''embed8'', q) AS e');

-- in the select list: pipelined (EXPLAIN shows MLPredict), same rows
EXPLAIN (COSTS OFF) SELECT id, mlpredict.ai_complete('chat', q) FROM questions;
EXPLAIN (VERBOSE, COSTS OFF) SELECT id, mlpredict.ai_embedding('embed', q) FROM questions;
EXPLAIN (COSTS OFF) SELECT id, churnmodel(credit_limit, age) FROM customers;
EXPLAIN (COSTS OFF) SELECT id, (churnmodel(credit_limit, age)).score FROM customers;
EXPLAIN (COSTS OFF) SELECT id, chat(q) FROM questions;
SELECT id, mlpredict.ai_complete('chat', q) FROM questions WHERE id <= 7;
SELECT id, churnmodel(credit_limit, age), (churnmodel(credit_limit, age)).score FROM customers WHERE id <= 6;
SELECT pg_temp.same('SELECT id, mlpredict.ai_complete(''chat'', q) FROM questions');
SELECT pg_temp.same('SELECT id, mlpredict.ai_embedding(''embed'', q) FROM questions');
SELECT pg_temp.same('SELECT id, mlpredict.ai_embedding(''embed8'', q) AS v FROM questions');
SELECT pg_temp.same('SELECT id, churnmodel(credit_limit, age) FROM customers');
SELECT pg_temp.same('SELECT id, (churnmodel(credit_limit, age)).label, (churnmodel(credit_limit, age)).score FROM customers');
SELECT pg_temp.same('SELECT id, (churnmodel(credit_limit, age)).* FROM customers');
SELECT pg_temp.same('SELECT id, churnmodel(credit_limit, age) IS NULL, (churnmodel(credit_limit, age)).cluster + 1 FROM customers ORDER BY id DESC');
SELECT pg_temp.same('SELECT id, chat(q) FROM questions');
SELECT pg_temp.same('SELECT id, upper(mlpredict.ai_complete(''chat'', q)) || ''!'' FROM questions WHERE id % 2 = 1 ORDER BY id DESC');
SELECT pg_temp.same('SELECT id, mlpredict.ai_complete(''chat'', mlpredict.ai_complete(''chat'', q)) FROM questions');
SELECT pg_temp.same('SELECT id, mlpredict.ai_complete(''chat'', q), mlpredict.ai_embedding(''embed'', q) FROM questions');
SELECT pg_temp.same('SELECT DISTINCT mlpredict.ai_complete(''chat'', q) AS a FROM questions ORDER BY a');
SELECT pg_temp.same('SELECT id, mlpredict.ai_complete(''chat'', q) FROM questions LIMIT 5');
SELECT pg_temp.same('SELECT q1.id, mlpredict.ai_complete(''chat'', q1.q || q2.q) FROM questions q1 JOIN questions q2 ON q2.id = q1.id + 1');
SELECT pg_temp.same('SELECT q1.id, mlpredict.ai_complete(''chat'', q2.q) FROM questions q1 LEFT JOIN questions q2 ON q2.id = q1.id + 20 ORDER BY q1.id');
SELECT pg_temp.same('SELECT id, mlpredict.ai_complete(''chat'', q, mlpredict.options(max_parallelism => 2, on_error => ''null'')) FROM questions');
-- subqueries, CTEs, sublinks
SELECT pg_temp.same('SELECT * FROM (SELECT id, mlpredict.ai_complete(''chat'', q) AS a FROM questions) s WHERE a LIKE ''%1%''');
SELECT pg_temp.same('WITH w AS MATERIALIZED (SELECT id, mlpredict.ai_complete(''chat'', q) AS a FROM questions) SELECT * FROM w ORDER BY id DESC');
SELECT pg_temp.same('SELECT id, (SELECT count(*) FROM (SELECT mlpredict.ai_complete(''chat'', q2.q) FROM questions q2 WHERE q2.id <= q1.id) s) FROM questions q1 WHERE id < 4');
-- on_error = skip: a scalar call keeps its row (NULL); a typed function's
-- row goes, as ProjectSet drops it
INSERT INTO questions VALUES (100, 'bad [[status:400]]'), (101, 'fine'), (102, 'also bad [[bad-json]]');
SELECT pg_temp.same('SELECT id, mlpredict.ai_complete(''chat'', q, mlpredict.options(on_error => ''skip'', retry_count => 0)) FROM questions WHERE id >= 100');
SELECT pg_temp.same('SELECT id, chat(q, mlpredict.options(on_error => ''skip'', retry_count => 0)) FROM questions WHERE id >= 100');
SELECT id, mlpredict.ai_complete('chat', q, mlpredict.options(on_error => 'skip', retry_count => 0)) FROM questions WHERE id >= 100 ORDER BY id;
SELECT id, chat(q, mlpredict.options(on_error => 'skip', retry_count => 0)) FROM questions WHERE id >= 100 ORDER BY id;
-- on_error = fail: the same error, after the same rows
SELECT id, mlpredict.ai_complete('chat', q, mlpredict.options(retry_count => 0)) FROM questions WHERE id >= 100 ORDER BY id;
DELETE FROM questions WHERE id >= 100;

-- not rewritten (one call per row, same rows): aggregates, GROUP BY, window
-- functions, ORDER BY with LIMIT, conditional calls, other SRFs, per-row
-- models, FOR UPDATE, no FROM, UPDATE
SELECT pg_temp.same('SELECT count(mlpredict.ai_complete(''chat'', q)) FROM questions');
SELECT pg_temp.same('SELECT id % 3, max(mlpredict.ai_complete(''chat'', q)) FROM questions GROUP BY 1 ORDER BY 1');
SELECT pg_temp.same('SELECT id, mlpredict.ai_complete(''chat'', q), row_number() OVER () FROM questions');
SELECT pg_temp.same('SELECT id, mlpredict.ai_complete(''chat'', q) FROM questions ORDER BY id DESC LIMIT 3');
SELECT pg_temp.same('SELECT id, CASE WHEN id < 3 THEN mlpredict.ai_complete(''chat'', q) END FROM questions');
SELECT pg_temp.same('SELECT id, coalesce(q, mlpredict.ai_complete(''chat'', ''fallback'')) FROM questions');
SELECT pg_temp.same('SELECT id, mlpredict.ai_complete(''chat'', q), generate_series(1, 2) FROM questions WHERE id < 3');
SELECT pg_temp.same('SELECT id, mlpredict.ai_complete(CASE WHEN id > 0 THEN ''chat'' END, q) FROM questions WHERE id < 3');
SELECT pg_temp.same('SELECT mlpredict.ai_complete(''chat'', ''no from'')');
SELECT pg_temp.same('SELECT id, mlpredict.ai_complete(''chat'', (SELECT q FROM questions q2 WHERE q2.id = questions.id)) FROM questions WHERE id < 3');
BEGIN;
EXPLAIN (COSTS OFF) SELECT id, mlpredict.ai_complete('chat', q) FROM questions WHERE id < 3 FOR UPDATE;
CREATE TABLE answers (id int, a text);
EXPLAIN (COSTS OFF) UPDATE answers SET a = mlpredict.ai_complete('chat', 'x' || id);
ROLLBACK;
-- with mlpredict.enable_pipeline = off nothing is rewritten
SET mlpredict.enable_pipeline = off;
EXPLAIN (COSTS OFF) SELECT id, mlpredict.ai_complete('chat', q) FROM questions;
RESET mlpredict.enable_pipeline;

-- a view keeps its definition as written; its query is pipelined
-- (PostgreSQL 16 stopped qualifying the columns of a one-table view)
CREATE VIEW answered AS SELECT id, mlpredict.ai_complete('chat', q) AS answer FROM questions;
SELECT replace(pg_get_viewdef('answered'::regclass), 'questions.', '') AS definition;
EXPLAIN (COSTS OFF) SELECT * FROM answered WHERE id < 3;
SELECT pg_temp.same('SELECT * FROM answered');

-- INSERT ... SELECT, CREATE TABLE AS, prepared statements, cursors
CREATE TABLE answers_piped (id int, a text);
EXPLAIN (COSTS OFF) INSERT INTO answers_piped SELECT id, mlpredict.ai_complete('chat', q) FROM questions;
INSERT INTO answers_piped SELECT id, mlpredict.ai_complete('chat', q) FROM questions;
SELECT count(*), count(a), bool_and(a = 'echo: ' || regexp_replace(q, ' \[\[sleep:\d+\]\]', '')) AS right_answers FROM answers_piped JOIN questions USING (id);
PREPARE ask(text) AS SELECT id, mlpredict.ai_complete($1, q) FROM questions WHERE id <= 3;
EXPLAIN (COSTS OFF) EXECUTE ask('chat');
EXECUTE ask('chat');
SET plan_cache_mode = force_generic_plan;
EXPLAIN (COSTS OFF) EXECUTE ask('chat');
EXECUTE ask('chat');
RESET plan_cache_mode;
DEALLOCATE ask;
BEGIN;
DECLARE c CURSOR FOR SELECT id, mlpredict.ai_complete('chat', q) FROM questions;
FETCH 3 FROM c;
FETCH 2 FROM c;
CLOSE c;
COMMIT;
-- a LIMIT pays for few calls (slow start)
SELECT pg_temp.standin('/_control/reset', 'POST') IS NOT NULL AS reset;
-- (the prompts are tagged: requests the closed cursor left in flight may
-- still reach the stand-in after the reset)
SELECT id, mlpredict.ai_complete('chat', q || ' [limit]') FROM questions WHERE id > 1 LIMIT 3;
SELECT count(*) BETWEEN 3 AND 7 AS few_calls
  FROM jsonb_array_elements(pg_temp.standin('/_control/requests')) r
 WHERE r->>'body' LIKE '%[limit]%';

-- batching: ai_embedding in the select list sends several rows per request
SELECT pg_temp.standin('/_control/reset', 'POST') IS NOT NULL AS reset;
SELECT count(*) AS rows, count(e) AS embedded FROM (SELECT mlpredict.ai_embedding('embed', q) AS e FROM questions) s;
SELECT ((pg_temp.standin('/_control/stats'))->'by_route'->>'openai.embeddings')::int AS requests;

-- parallel query: the typed function (PARALLEL SAFE) is pipelined in the
-- workers; ai_complete is PARALLEL RESTRICTED, so it runs in the leader
SET parallel_setup_cost = 0;
SET parallel_tuple_cost = 0;
SET min_parallel_table_scan_size = 0;
SET max_parallel_workers_per_gather = 2;
EXPLAIN (COSTS OFF) SELECT id, chat(q) FROM questions;
EXPLAIN (COSTS OFF) SELECT id, mlpredict.ai_complete('chat', q) FROM questions;
SELECT count(*), count(a) FROM (SELECT id, chat(q) AS a FROM questions) s;
SELECT count(*), count(a) FROM (SELECT id, mlpredict.ai_complete('chat', q) AS a FROM questions) s;
RESET parallel_setup_cost;
RESET parallel_tuple_cost;
RESET min_parallel_table_scan_size;
RESET max_parallel_workers_per_gather;

-- privileges: EXECUTE on the model's typed function, as for ml_predict
CREATE ROLE ai_reader;
GRANT SELECT ON questions TO ai_reader;
SET ROLE ai_reader;
SELECT mlpredict.ai_complete('chat', 'hello');
SELECT id, mlpredict.ai_complete('chat', q) FROM questions WHERE id = 2;
SELECT id, r FROM questions, LATERAL mlpredict.ai_complete('chat', q) AS r WHERE id = 2;
RESET ROLE;
GRANT EXECUTE ON FUNCTION chat(text, mlpredict.predict_options) TO ai_reader;
SET ROLE ai_reader;
SELECT mlpredict.ai_complete('chat', 'hello');
SELECT id, mlpredict.ai_complete('chat', q) FROM questions WHERE id = 2;
SELECT id, r FROM questions, LATERAL mlpredict.ai_complete('chat', q) AS r WHERE id = 2;
-- not ml_predict's EXECUTE: the AI functions do not call it
RESET ROLE;
REVOKE EXECUTE ON FUNCTION mlpredict.ml_predict(text, "any") FROM PUBLIC;
SET ROLE ai_reader;
SELECT id, mlpredict.ai_complete('chat', q) FROM questions WHERE id = 2;
RESET ROLE;
GRANT EXECUTE ON FUNCTION mlpredict.ml_predict(text, "any") TO PUBLIC;
-- the AI function's own EXECUTE is needed too
REVOKE EXECUTE ON FUNCTION mlpredict.ai_complete(text, text, mlpredict.predict_options) FROM PUBLIC;
SET ROLE ai_reader;
SELECT mlpredict.ai_complete('chat', 'hello');
SELECT id, mlpredict.ai_complete('chat', q) FROM questions WHERE id = 2;
RESET ROLE;
GRANT EXECUTE ON FUNCTION mlpredict.ai_complete(text, text, mlpredict.predict_options) TO PUBLIC;
DROP OWNED BY ai_reader;
DROP ROLE ai_reader;

-- UPDATE: pipelined through a subquery that is not pulled up (OFFSET 0)
CREATE TABLE answers (id int, a text);
INSERT INTO answers SELECT id, NULL FROM questions;
EXPLAIN (COSTS OFF) UPDATE answers SET a = s.a FROM (SELECT id, mlpredict.ai_complete('chat', q) AS a FROM questions OFFSET 0) s WHERE answers.id = s.id;
UPDATE answers SET a = s.a FROM (SELECT id, mlpredict.ai_complete('chat', q) AS a FROM questions OFFSET 0) s WHERE answers.id = s.id;
SELECT count(*), count(a) FROM answers;

-- the suites share one database: leave nothing behind
DROP VIEW answered;
DROP TABLE questions, customers, answers, answers_piped;
DROP EXTENSION mlpredict CASCADE;
