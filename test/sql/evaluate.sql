-- ML_EVALUATE: mlpredict.ml_evaluate(model, query, config) scores one model
-- per task against the stand-in (metrics keyed exactly as Confluent's), $all
-- gives one row per version, the predictions go through the pipelined join,
-- on_error null/skip count failed rows, and the errors for empty input, NULL
-- labels, mismatched label types, missing grants and a query of the wrong
-- shape.
CREATE EXTENSION IF NOT EXISTS mlpredict;

\i test/helpers/standin.sql
SELECT pg_temp.standin('/_control/reset', 'POST') IS NOT NULL AS reset;

-- m(metrics): the metrics rounded to 6 places, keys in a fixed order
CREATE FUNCTION pg_temp.m(metrics jsonb) RETURNS text LANGUAGE sql AS $$
  SELECT string_agg(format('%s=%s', key,
           CASE jsonb_typeof(value) WHEN 'number' THEN round(value::numeric, 6)::text ELSE value::text END),
         ', ' ORDER BY key)
  FROM jsonb_each(metrics)
$$;

------------------------------------------------------------------------
-- classification: Confluent's sentiment model (verbatim CREATE MODEL), two
-- versions; v1 asks for the sentiment, v2 has no system prompt and echoes
------------------------------------------------------------------------
SELECT * FROM mlpredict.execute($$CREATE CONNECTION openai-connection WITH ('type' = 'openai', 'endpoint' = 'http://127.0.0.1:18787/v1/chat/completions', 'api-key' = 'sk-test-openai-key')$$);
SELECT * FROM mlpredict.execute($$CREATE MODEL sentimentmodel INPUT(text STRING) OUTPUT(sentiment STRING) COMMENT 'sentiment analysis model' WITH ( 'provider' = 'openai', 'task' = 'classification', 'openai.connection' = 'openai-connection', 'openai.model_version' = 'gpt-3.5-turbo', 'openai.system_prompt' = 'Analyze the sentiment of the text and return only POSITIVE, NEGATIVE, or NEUTRAL.' );$$);
SELECT * FROM mlpredict.execute($$CREATE MODEL sentimentmodel INPUT(text STRING) OUTPUT(sentiment STRING) COMMENT 'sentiment analysis model' WITH ( 'provider' = 'openai', 'task' = 'classification', 'openai.connection' = 'openai-connection', 'openai.model_version' = 'gpt-4o-mini', 'openai.params.temperature' = '0', 'openai.params.max_tokens' = '3', 'openai.params.stop' = 'END,STOP')$$);

CREATE TABLE eval_table (id int, label text, text text);
INSERT INTO eval_table VALUES
  (1, 'POSITIVE', 'I love this happy day'),
  (2, 'NEGATIVE', 'What a terrible crash'),
  (3, 'NEUTRAL', 'The train leaves at noon'),
  (4, 'POSITIVE', 'Not bad at all'),          -- the model says NEGATIVE
  (5, 'NEUTRAL', 'great but sad'),
  (6, '  POSITIVE ', 'wonderful news');       -- labels are compared trimmed
SELECT id, label, s.sentiment FROM eval_table, LATERAL sentimentmodel(text) s ORDER BY id;

-- Confluent: SELECT ML_EVALUATE(`sentimentmodel$all`, label, text) FROM eval_table;
-- one row per version, in version order.  v1: accuracy 5/6; macro
-- precision (1 + 1/2 + 1)/3, recall (2/3 + 1 + 1)/3, F1 (4/5 + 2/3 + 1)/3
SELECT model, version, pg_temp.m(metrics)
FROM mlpredict.ml_evaluate('sentimentmodel$all', 'SELECT label, text FROM eval_table');
-- the keys exactly as Confluent's
SELECT array_agg(k ORDER BY k) FROM mlpredict.ml_evaluate('sentimentmodel$1', 'SELECT label, text FROM eval_table') e,
  LATERAL jsonb_object_keys(e.metrics) k;
-- the default version, $latest, $2, a WHERE clause and a trailing semicolon
SELECT version, pg_temp.m(metrics) FROM mlpredict.ml_evaluate('sentimentmodel', 'SELECT label, text FROM eval_table');
SELECT version, pg_temp.m(metrics) FROM mlpredict.ml_evaluate('sentimentmodel$latest', 'SELECT label, text FROM eval_table WHERE id < 4;');
-- the workflow: evaluate the versions, then make the best one the default
SELECT * FROM mlpredict.execute($$ALTER MODEL sentimentmodel SET ('default_version' = '1')$$);
SELECT version, pg_temp.m(metrics) FROM mlpredict.ml_evaluate('sentimentmodel', 'SELECT label, text FROM eval_table WHERE id IN (1, 2)');

-- the predictions go through the pipelined join: eight rows that each take
-- 300 ms are in flight together (one call at a time would be one)
SELECT pg_temp.standin('/_control/reset', 'POST') IS NOT NULL AS reset;
SELECT version, pg_temp.m(metrics) FROM mlpredict.ml_evaluate('sentimentmodel$1',
  $q$SELECT 'NEUTRAL', 'row ' || g || ' [[sleep:300]]' FROM generate_series(1, 8) g$q$);
SELECT (pg_temp.standin('/_control/stats')->>'max_in_flight')::int > 4 AS pipelined;

------------------------------------------------------------------------
-- regression: the stand-in's score = (a + b) / 2 (Azure ML)
------------------------------------------------------------------------
SELECT mlpredict.create_connection('ev-azureml', '{"type": "azureml", "endpoint": "http://127.0.0.1:18787/score", "api-key": "azureml-test-key-0123456789"}');
SELECT mlpredict.create_model('price', 'a INT, b INT', 'score DOUBLE',
  '{"provider": "azureml", "task": "regression", "azureml.connection": "ev-azureml", "azureml.deployment_name": "score-v1"}');
CREATE TABLE houses (y numeric, a int, b int);
INSERT INTO houses VALUES (10, 10, 10), (12, 20, 0), (5, 4, 4), (0, 0, 0);
-- y = 10 12 5 0, predictions 10 10 4 0: MAE 3/4, MSE 5/4, RMSE sqrt(5/4),
-- MAPE (0 + 2/12 + 1/5) / 3 (the zero label left out), R2 1 - 5/86.75
SELECT model, version, pg_temp.m(metrics) FROM mlpredict.ml_evaluate('price', 'SELECT y, a, b FROM houses');
-- perfect predictions
SELECT pg_temp.m(metrics) FROM mlpredict.ml_evaluate('price', 'SELECT (a + b) / 2.0, a, b FROM houses');

------------------------------------------------------------------------
-- clustering: cluster = int(x + y) mod 3; the points are the numeric inputs
------------------------------------------------------------------------
SELECT mlpredict.create_model('segments', 'x DOUBLE, y DOUBLE', 'cluster INT',
  '{"provider": "azureml", "task": "clustering", "azureml.connection": "ev-azureml", "azureml.deployment_name": "cluster-a"}');
CREATE TABLE points (id int, x float8, y float8);
INSERT INTO points VALUES (1, 0, 0), (2, 0, 3), (3, 1, 0), (4, 1, 3), (5, 2, 0), (6, 5, 0);
SELECT id, x, y, s.cluster FROM points, LATERAL segments(x, y) s ORDER BY id;
-- the label is not used (NULL is fine)
SELECT pg_temp.m(metrics) FROM mlpredict.ml_evaluate('segments', 'SELECT NULL::int, x, y FROM points');
-- the same three numbers computed here in SQL from the predicted clusters
WITH p AS (SELECT id, x, y, s.cluster AS c FROM points, LATERAL segments(x, y) s),
cen AS (SELECT c, avg(x) cx, avg(y) cy, count(*) n FROM p GROUP BY c),
sc AS (SELECT cen.c, avg(sqrt((x - cx)^2 + (y - cy)^2)) s FROM p JOIN cen USING (c) GROUP BY cen.c),
dbi AS (SELECT avg(worst) v FROM (SELECT a.c, max((a.s + b.s) / sqrt((ca.cx - cb.cx)^2 + (ca.cy - cb.cy)^2)) worst
        FROM sc a JOIN sc b ON a.c <> b.c JOIN cen ca ON ca.c = a.c JOIN cen cb ON cb.c = b.c GROUP BY a.c) t),
var AS (SELECT avg((x - cx)^2 + (y - cy)^2) v FROM p JOIN cen USING (c)),
md AS (SELECT p.id, q.c, avg(sqrt((p.x - q.x)^2 + (p.y - q.y)^2)) d, p.c AS own
       FROM p JOIN p q ON p.id <> q.id GROUP BY p.id, q.c, p.c),
sil AS (SELECT avg(CASE WHEN a IS NULL THEN 0 ELSE (b - a) / greatest(a, b) END) v
        FROM (SELECT id, max(d) FILTER (WHERE c = own) a, min(d) FILTER (WHERE c <> own) b FROM md GROUP BY id) t)
SELECT round(dbi.v::numeric, 6) AS dbi, round(var.v::numeric, 6) AS variance, round(sil.v::numeric, 6) AS silhouette
FROM dbi, var, sil;
-- array inputs are flattened into the point
SELECT mlpredict.create_model('segments_vec', 'v ARRAY<DOUBLE>', 'cluster INT',
  '{"provider": "azureml", "task": "clustering", "azureml.connection": "ev-azureml", "azureml.deployment_name": "cluster-a"}');
SELECT pg_temp.m(metrics) FROM mlpredict.ml_evaluate('segments_vec', 'SELECT 0, ARRAY[x, y] FROM points');

------------------------------------------------------------------------
-- embedding: labels are the stand-in's own vectors (perfect) and one
-- negated vector (cosine -1, Jaccard -1/3, distance 2)
------------------------------------------------------------------------
SELECT * FROM mlpredict.execute($$CREATE CONNECTION azureopenai-cli-connection WITH ('type' = 'azureopenai', 'endpoint' = 'http://127.0.0.1:18787/openai/deployments/embed/embeddings?api-version=2024-06-01', 'api-key' = 'azure-test-key')$$);
SELECT * FROM mlpredict.execute($$CREATE MODEL azure_embed INPUT (text STRING) OUTPUT (response ARRAY<FLOAT>) WITH ( 'azureopenai.connection'='azureopenai-cli-connection', 'provider'='azureopenai', 'task'='embedding' );$$);
CREATE TABLE docs (id int, text text, expected real[]);
INSERT INTO docs SELECT id, t, e.response FROM (VALUES (1, 'alpha'), (2, 'beta')) v(id, t), LATERAL azure_embed(t) e;
INSERT INTO docs SELECT 3, 'gamma', (SELECT array_agg(-x) FROM unnest(e.response) x) FROM azure_embed('gamma') e;
SELECT pg_temp.m(metrics) FROM mlpredict.ml_evaluate('azure_embed', 'SELECT expected, text FROM docs WHERE id <= 2');
SELECT model, round((metrics->>'Mean Cosine Similarity')::numeric, 4) AS cosine,
       round((metrics->>'Mean Jaccard Similarity')::numeric, 4) AS jaccard,
       round((metrics->>'Mean Euclidean Distance')::numeric, 4) AS euclidean
FROM mlpredict.ml_evaluate('azure_embed', 'SELECT expected, text FROM docs');
-- a label of another dimension
SELECT * FROM mlpredict.ml_evaluate('azure_embed', $q$SELECT ARRAY[1, 2]::real[], 'alpha'$q$);

------------------------------------------------------------------------
-- text_generation: the stand-in answers "echo: <text>"
------------------------------------------------------------------------
SELECT mlpredict.create_model('echo', 'q STRING', 'a STRING',
  '{"provider": "openai", "task": "text_generation", "openai.connection": "openai-connection"}');
-- exact
SELECT pg_temp.m(metrics) FROM mlpredict.ml_evaluate('echo', $q$SELECT 'echo: hello world', 'hello world'$q$);
-- "echo : hello world" against "hello world": BLEU (1/2 * 2/4 * 1/3 * 1/2)^(1/4)
-- (no brevity penalty), ROUGE-L 2*2/6, token cosine 2/(2*sqrt(2))
SELECT pg_temp.m(metrics) FROM mlpredict.ml_evaluate('echo', $q$SELECT 'hello world', 'hello world'$q$);
-- nothing in common
SELECT pg_temp.m(metrics) FROM mlpredict.ml_evaluate('echo', $q$SELECT 'completely different', 'x'$q$);
-- ROUGE-L's table grows with both texts (here 2 * 10^10 steps, tens of
-- seconds): a cancel stops it at once
CREATE FUNCTION pg_temp.canceled_within(query text, seconds int) RETURNS text
LANGUAGE plpgsql AS $$
DECLARE
  t0 timestamptz := clock_timestamp();
BEGIN
  PERFORM * FROM mlpredict.ml_evaluate('echo', query);
  RETURN 'finished';
EXCEPTION WHEN query_canceled THEN
  RETURN CASE WHEN clock_timestamp() - t0 < make_interval(secs => seconds)
              THEN 'canceled in time' ELSE 'canceled late' END;
END $$;
SET statement_timeout = '1s';
SELECT pg_temp.canceled_within($q$SELECT repeat('w ', 150000), repeat('w ', 150000)$q$, 5);
RESET statement_timeout;

------------------------------------------------------------------------
-- failed rows: on_error fail (the default) stops; null and skip count them
------------------------------------------------------------------------
CREATE TABLE flaky (label text, text text);
INSERT INTO flaky VALUES ('POSITIVE', 'happy happy'), ('NEGATIVE', 'awful [[status:400]]'), ('NEUTRAL', NULL);
SELECT * FROM mlpredict.ml_evaluate('sentimentmodel$1', 'SELECT label, text FROM flaky');
SELECT * FROM mlpredict.ml_evaluate('sentimentmodel$1', 'SELECT label, text FROM flaky WHERE text IS NOT NULL');
SELECT * FROM mlpredict.ml_evaluate('sentimentmodel$1', 'SELECT label, text FROM flaky WHERE text IS NULL');
SELECT pg_temp.m(metrics) FROM mlpredict.ml_evaluate('sentimentmodel$1', 'SELECT label, text FROM flaky', mlpredict.options(on_error => 'null'));
SELECT pg_temp.m(metrics) FROM mlpredict.ml_evaluate('sentimentmodel$1', 'SELECT label, text FROM flaky', mlpredict.options(on_error => 'skip'));
-- every row failed: the metrics are null
SELECT pg_temp.m(metrics) FROM mlpredict.ml_evaluate('sentimentmodel$1', 'SELECT label, text FROM flaky WHERE text IS NULL', mlpredict.map('on_error', 'null'));

------------------------------------------------------------------------
-- errors
------------------------------------------------------------------------
-- empty input
SELECT * FROM mlpredict.ml_evaluate('sentimentmodel', 'SELECT label, text FROM eval_table WHERE false');
-- a NULL label
SELECT * FROM mlpredict.ml_evaluate('sentimentmodel', $q$SELECT NULL::text, 'happy'$q$);
-- the label's type does not match the task or the output
SELECT * FROM mlpredict.ml_evaluate('sentimentmodel', $q$SELECT 1, 'happy'$q$);
SELECT * FROM mlpredict.ml_evaluate('price', $q$SELECT 'ten', 1, 2$q$);
SELECT * FROM mlpredict.ml_evaluate('echo', $q$SELECT 42, 'hello'$q$);
SELECT * FROM mlpredict.ml_evaluate('azure_embed', $q$SELECT 'not a vector', 'hello'$q$);
-- the wrong number of columns
SELECT * FROM mlpredict.ml_evaluate('sentimentmodel', 'SELECT label FROM eval_table');
SELECT * FROM mlpredict.ml_evaluate('price', 'SELECT y, a FROM houses');
SELECT * FROM mlpredict.ml_evaluate('price', 'SELECT y, a, b, b FROM houses');
-- an input of the wrong type
SELECT * FROM mlpredict.ml_evaluate('price', $q$SELECT 1, 'x'::text, 2$q$);
-- not one SELECT
SELECT * FROM mlpredict.ml_evaluate('price', 'DELETE FROM houses');
SELECT * FROM mlpredict.ml_evaluate('price', 'SELECT 1, 2, 3; SELECT 1, 2, 3');
-- unknown models and versions, NULL arguments
SELECT * FROM mlpredict.ml_evaluate('nosuchmodel', 'SELECT 1');
SELECT * FROM mlpredict.ml_evaluate('price$7', 'SELECT y, a, b FROM houses');
SELECT * FROM mlpredict.ml_evaluate(NULL, 'SELECT 1');
SELECT * FROM mlpredict.ml_evaluate('price', NULL);

-- the caller needs EXECUTE on the model, and the query runs as the caller
CREATE ROLE ev_user;
GRANT SELECT ON houses TO ev_user;
SET ROLE ev_user;
SELECT * FROM mlpredict.ml_evaluate('price', 'SELECT y, a, b FROM houses');
RESET ROLE;
SELECT * FROM mlpredict.execute('GRANT EXECUTE ON MODEL price TO ev_user');
SET ROLE ev_user;
SELECT version, pg_temp.m(metrics) FROM mlpredict.ml_evaluate('price', 'SELECT y, a, b FROM houses');
-- no SELECT on the table: the query fails as it would for the caller
SELECT * FROM mlpredict.ml_evaluate('price', 'SELECT x, x::int, y::int FROM points');
RESET ROLE;

-- the SQLSTATE of each error
CREATE FUNCTION pg_temp.err(q text) RETURNS text LANGUAGE plpgsql AS $$
DECLARE
  st text;
BEGIN
  EXECUTE q;
  RETURN 'no error';
EXCEPTION WHEN OTHERS THEN
  GET STACKED DIAGNOSTICS st = RETURNED_SQLSTATE;
  RETURN st;
END $$;
SELECT what, pg_temp.err(format('SELECT * FROM mlpredict.ml_evaluate(%L, %L)', m, q)) AS sqlstate
FROM (VALUES
  ('empty input', 'sentimentmodel', 'SELECT label, text FROM eval_table WHERE false'),
  ('NULL label', 'sentimentmodel', 'SELECT NULL::text, ''happy'''),
  ('no prediction', 'sentimentmodel', 'SELECT ''NEUTRAL'', NULL::text'),
  ('label type', 'price', 'SELECT ''ten'', 1, 2'),
  ('column count', 'price', 'SELECT 1, 2'),
  ('not a SELECT', 'price', 'DELETE FROM houses'),
  ('dimensions', 'azure_embed', 'SELECT ARRAY[1, 2]::real[], ''alpha''')) v(what, m, q);
SET ROLE ev_user;
SELECT pg_temp.err($$SELECT * FROM mlpredict.ml_evaluate('echo', 'SELECT ''a'', ''b''')$$) AS no_grant;
RESET ROLE;

-- clean up (the suites share one database)
SELECT mlpredict.drop_model(m) FROM unnest(ARRAY['price$all', 'segments$all', 'segments_vec$all', 'azure_embed$all', 'echo$all']) m;
SELECT * FROM mlpredict.execute('DROP MODEL sentimentmodel$all');
SELECT mlpredict.drop_connection(c) FROM unnest(ARRAY['openai-connection', 'azureopenai-cli-connection', 'ev-azureml']) c;
DROP TABLE eval_table, houses, points, docs, flaky;
DROP OWNED BY ev_user;
DROP ROLE ev_user;
DROP EXTENSION mlpredict CASCADE;
