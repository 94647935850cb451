-- Continuous queries: every shape that is not supported, and every
-- missing object, refused at creation with its SQLSTATE and its position
-- in the statement (execute) or in the query text (function form).
CREATE EXTENSION mlpredict;
\set VERBOSITY default

SELECT mlpredict.create_connection('cqe-openai', '{"type": "openai", "endpoint": "http://127.0.0.1:18787/v1/chat/completions", "api-key": "sk-test-openai-key"}');
SELECT mlpredict.create_model('cqe_sentiment', 'text STRING', 'sentiment STRING, score DOUBLE', '{"provider": "openai", "task": "classification", "openai.connection": "cqe-openai", "openai.input_format": "JSON"}');
SELECT mlpredict.create_model('cqe_pair', 'a STRING, b STRING', 'answer STRING', '{"provider": "openai", "task": "classification", "openai.connection": "cqe-openai", "openai.input_format": "JSON"}');
CREATE TABLE cqe_src (id int PRIMARY KEY, text text, other text, n int);
CREATE TABLE cqe_nopk (id int, text text);
CREATE TABLE cqe_nullable (id int, text text, UNIQUE (id));
CREATE TABLE cqe_sink (id int PRIMARY KEY, sentiment text, score float8, note text);
CREATE TABLE cqe_sink_nokey (id int, sentiment text);
CREATE VIEW cqe_view AS SELECT * FROM cqe_src;

-- errors show the SQLSTATE
\set VERBOSITY verbose
\set SHOW_CONTEXT never
CREATE FUNCTION pg_temp.try(statement text) RETURNS text
LANGUAGE plpgsql AS $$
BEGIN
  PERFORM * FROM mlpredict.execute(statement);
  RETURN 'created';
EXCEPTION WHEN OTHERS THEN
  DECLARE
    state text; msg text; pos text; hint text;
  BEGIN
    GET STACKED DIAGNOSTICS state = RETURNED_SQLSTATE, msg = MESSAGE_TEXT, hint = PG_EXCEPTION_HINT;
    RETURN state || ': ' || msg || CASE WHEN hint <> '' THEN ' (hint: ' || hint || ')' ELSE '' END;
  END;
END $$;
\set VERBOSITY default

-- the positions, as psql shows them
SELECT * FROM mlpredict.execute($$CREATE CONTINUOUS QUERY e1 AS INSERT INTO cqe_sink (id, sentiment) SELECT id, sentiment FROM cqe_nopk, LATERAL cqe_sentiment(text)$$);
SELECT * FROM mlpredict.execute($$CREATE CONTINUOUS QUERY e1 AS INSERT INTO cqe_sink (id, sentiment) SELECT id, sentiment FROM cqe_src, LATERAL cqe_sentiment(upper(text))$$);
SELECT * FROM mlpredict.execute($$CREATE CONTINUOUS QUERY e1 AS INSERT INTO cqe_sink (id, sentiment) SELECT id, sentiment FROM cqe_src, LATERAL cqe_sentiment(text) WHERE score > 0.5$$);
SELECT * FROM mlpredict.execute($$CREATE CONTINUOUS QUERY e1 AS INSERT INTO cqe_sink (id, sentiment) SELECT id, sentiment FROM missing_table, LATERAL cqe_sentiment(text)$$);
SELECT mlpredict.create_continuous_query('e1', 'INSERT INTO cqe_sink (id, sentiment) SELECT id, sentiment FROM cqe_src, LATERAL cqe_sentiment(text) ORDER BY id');
SELECT * FROM mlpredict.execute($$CREATE CONTINUOUS QUERY e1 AS INSERT INTO cqe_sink (id, sentiment) SELECT id, sentiment FROM cqe_src, LATERAL TABLE(ML_PREDICT('cqe_sentiment', text)) WHERE`n` > random()$$);
SELECT * FROM mlpredict.execute($$CREATE CONTINUOUS QUERY e1 AS INSERT INTO cqe_sink (id, sentiment) SELECT id, sentiment FROM cqe_src, LATERAL cqe_sentiment(text) WHERE nn > 1$$);
SELECT * FROM mlpredict.execute($$CREATE CONTINUOUS QUERY e1 AS INSERT INTO cqe_sink (id, sentiment) SELECT id, sentiment FROM cqe_src, LATERAL cqe_sentiment(text) SELECT 1$$);

-- every refusal, with its SQLSTATE
SELECT s AS statement, pg_temp.try('CREATE CONTINUOUS QUERY e2 AS ' || s) AS result FROM (VALUES
  -- tables
  ('INSERT INTO cqe_sink (id, sentiment) SELECT id, sentiment FROM cqe_nopk, LATERAL cqe_sentiment(text)'),
  ('INSERT INTO cqe_sink (id, sentiment) SELECT id, sentiment FROM cqe_view, LATERAL cqe_sentiment(text)'),
  ('INSERT INTO no_sink (id, sentiment) SELECT id, sentiment FROM cqe_src, LATERAL cqe_sentiment(text)'),
  ('INSERT INTO cqe_view (id, text) SELECT id, sentiment FROM cqe_src, LATERAL cqe_sentiment(text)'),
  ('INSERT INTO cqe_sink_nokey SELECT id, sentiment FROM cqe_src, LATERAL cqe_sentiment(text)'),
  ('INSERT INTO cqe_sink (sentiment) SELECT sentiment FROM cqe_src, LATERAL cqe_sentiment(text)'),
  -- the model call
  ('INSERT INTO cqe_sink (id, sentiment) SELECT id, sentiment FROM cqe_src, LATERAL no_model(text)'),
  ('INSERT INTO cqe_sink (id, sentiment) SELECT id, sentiment FROM cqe_src, LATERAL cqe_sentiment(text, other)'),
  ('INSERT INTO cqe_sink (id, sentiment) SELECT id, sentiment FROM cqe_src, LATERAL cqe_sentiment(text || other)'),
  ('INSERT INTO cqe_sink (id, sentiment) SELECT id, sentiment FROM cqe_src, LATERAL cqe_sentiment(''constant'')'),
  ('INSERT INTO cqe_sink (id, sentiment) SELECT id, sentiment FROM cqe_src, LATERAL ML_PREDICT(model_name, text)'),
  ('INSERT INTO cqe_sink (id, sentiment) SELECT id, sentiment FROM cqe_src, LATERAL ML_PREDICT(''cqe_sentiment$all'', text)'),
  ('INSERT INTO cqe_sink (id, sentiment) SELECT id, sentiment FROM cqe_src, LATERAL cqe_sentiment(text) AS p(a, b)'),
  ('INSERT INTO cqe_sink (id, sentiment) SELECT id, sentiment FROM cqe_src'),
  ('INSERT INTO cqe_sink (id, sentiment) SELECT id, p.sentiment FROM cqe_src, LATERAL cqe_sentiment(text) p, LATERAL cqe_sentiment(other) q'),
  ('INSERT INTO cqe_sink (id, sentiment) SELECT id, sentiment FROM LATERAL cqe_sentiment(''x'') p, cqe_src'),
  ('INSERT INTO cqe_sink (id, sentiment) SELECT s.id, sentiment FROM cqe_src s JOIN cqe_sink k ON k.id = s.id, LATERAL cqe_sentiment(s.text)'),
  ('INSERT INTO cqe_sink (id, sentiment) SELECT s.id, sentiment FROM cqe_src s, cqe_sink k'),
  ('INSERT INTO cqe_sink (id, sentiment) SELECT id, sentiment FROM (SELECT * FROM cqe_src) s, LATERAL cqe_sentiment(text)'),
  ('INSERT INTO cqe_sink (id, sentiment) SELECT id, sentiment FROM cqe_src, LATERAL cqe_sentiment(text) WITH ORDINALITY'),
  -- the select list
  ('INSERT INTO cqe_sink (id, sentiment) SELECT id, upper(sentiment) FROM cqe_src, LATERAL cqe_sentiment(text)'),
  ('INSERT INTO cqe_sink (id, sentiment) SELECT id, count(*) FROM cqe_src, LATERAL cqe_sentiment(text)'),
  ('INSERT INTO cqe_sink SELECT * FROM cqe_src, LATERAL cqe_sentiment(text)'),
  ('INSERT INTO cqe_sink (id, sentiment) SELECT id, nothing FROM cqe_src, LATERAL cqe_sentiment(text)'),
  ('INSERT INTO cqe_sink (id, sentiment) SELECT id, x.sentiment FROM cqe_src, LATERAL cqe_sentiment(text)'),
  ('INSERT INTO cqe_sink (id, score) SELECT id, sentiment FROM cqe_src, LATERAL cqe_sentiment(text)'),
  ('INSERT INTO cqe_sink (id, sentiment) SELECT id, sentiment, score FROM cqe_src, LATERAL cqe_sentiment(text)'),
  ('INSERT INTO cqe_sink (id, sentiment, score) SELECT id, sentiment FROM cqe_src, LATERAL cqe_sentiment(text)'),
  ('INSERT INTO cqe_sink (id, id) SELECT id, id FROM cqe_src, LATERAL cqe_sentiment(text)'),
  ('INSERT INTO cqe_sink (id, nope) SELECT id, sentiment FROM cqe_src, LATERAL cqe_sentiment(text)'),
  -- clauses
  ('INSERT INTO cqe_sink (id, sentiment) SELECT DISTINCT id, sentiment FROM cqe_src, LATERAL cqe_sentiment(text)'),
  ('INSERT INTO cqe_sink (id, sentiment) SELECT id, sentiment FROM cqe_src, LATERAL cqe_sentiment(text) GROUP BY id, sentiment'),
  ('INSERT INTO cqe_sink (id, sentiment) SELECT id, sentiment FROM cqe_src, LATERAL cqe_sentiment(text) ORDER BY id'),
  ('INSERT INTO cqe_sink (id, sentiment) SELECT id, sentiment FROM cqe_src, LATERAL cqe_sentiment(text) LIMIT 10'),
  ('INSERT INTO cqe_sink (id, sentiment) SELECT id, sentiment FROM cqe_src, LATERAL cqe_sentiment(text) UNION SELECT 1, ''x'''),
  ('INSERT INTO cqe_sink (id, sentiment) WITH w AS (SELECT 1) SELECT id, sentiment FROM cqe_src, LATERAL cqe_sentiment(text)'),
  ('INSERT INTO cqe_sink (id, sentiment) SELECT id, sentiment FROM cqe_src, LATERAL cqe_sentiment(text) ON CONFLICT DO NOTHING'),
  ('INSERT INTO cqe_sink (id, sentiment) SELECT id, sentiment FROM cqe_src, LATERAL cqe_sentiment(text) RETURNING id'),
  ('INSERT INTO cqe_sink (id, sentiment) VALUES (1, ''x'')'),
  ('INSERT INTO cqe_sink (id, sentiment) SELECT id, sentiment FROM cqe_src, LATERAL cqe_sentiment(text); SELECT 1 FROM cqe_nosuch'),
  -- the WHERE
  ('INSERT INTO cqe_sink (id, sentiment) SELECT id, sentiment FROM cqe_src, LATERAL cqe_sentiment(text) WHERE sentiment = ''POSITIVE'''),
  ('INSERT INTO cqe_sink (id, sentiment) SELECT id, sentiment FROM cqe_src, LATERAL cqe_sentiment(text) AS p WHERE p.score > 0'),
  ('INSERT INTO cqe_sink (id, sentiment) SELECT id, sentiment FROM cqe_src, LATERAL cqe_sentiment(text) WHERE n > random()'),
  ('INSERT INTO cqe_sink (id, sentiment) SELECT id, sentiment FROM cqe_src, LATERAL cqe_sentiment(text) WHERE n > extract(epoch FROM now())'),
  ('INSERT INTO cqe_sink (id, sentiment) SELECT id, sentiment FROM cqe_src, LATERAL cqe_sentiment(text) WHERE id IN (SELECT id FROM cqe_sink)'),
  ('INSERT INTO cqe_sink (id, sentiment) SELECT id, sentiment FROM cqe_src, LATERAL cqe_sentiment(text) WHERE n'),
  ('INSERT INTO cqe_sink (id, sentiment) SELECT id, sentiment FROM cqe_src, LATERAL cqe_sentiment(text) WHERE count(*) > 1'),
  -- the sink is the source
  ('INSERT INTO cqe_src (id, text) SELECT id, sentiment FROM cqe_src, LATERAL cqe_sentiment(text)'),
  ('INSERT INTO cqe_src (id, other) SELECT id, sentiment FROM cqe_src, LATERAL cqe_sentiment(text) WHERE other <> ''x'''),
  ('INSERT INTO cqe_src (n, other) SELECT id, sentiment FROM cqe_src, LATERAL cqe_sentiment(text)')
) v(s);

-- options
SELECT s AS statement, pg_temp.try(s) AS result FROM (VALUES
  ($$CREATE CONTINUOUS QUERY e3 WITH ('colour' = 'red') AS INSERT INTO cqe_sink (id, sentiment) SELECT id, sentiment FROM cqe_src, LATERAL cqe_sentiment(text)$$),
  ($$CREATE CONTINUOUS QUERY e3 WITH ('backfill' = 'maybe') AS INSERT INTO cqe_sink (id, sentiment) SELECT id, sentiment FROM cqe_src, LATERAL cqe_sentiment(text)$$),
  ($$CREATE CONTINUOUS QUERY e3 WITH ('batch_size' = '100000') AS INSERT INTO cqe_sink (id, sentiment) SELECT id, sentiment FROM cqe_src, LATERAL cqe_sentiment(text)$$),
  ($$CREATE CONTINUOUS QUERY e3 WITH ('max_attempts' = 'x') AS INSERT INTO cqe_sink (id, sentiment) SELECT id, sentiment FROM cqe_src, LATERAL cqe_sentiment(text)$$),
  ($$CREATE CONTINUOUS QUERY e3 WITH ('key' = 'nothing') AS INSERT INTO cqe_sink (id, sentiment) SELECT id, sentiment FROM cqe_nopk, LATERAL cqe_sentiment(text)$$),
  ($$CREATE CONTINUOUS QUERY e3 WITH ('key' = 'id') AS INSERT INTO cqe_sink (id, sentiment) SELECT id, sentiment FROM cqe_nopk, LATERAL cqe_sentiment(text)$$),
  ($$CREATE CONTINUOUS QUERY e3 WITH ('key' = 'id') AS INSERT INTO cqe_sink (id, sentiment) SELECT id, sentiment FROM cqe_nullable, LATERAL cqe_sentiment(text)$$),
  ($$CREATE CONTINUOUS QUERY e3 WITH ('provenance_column' = 'note') AS INSERT INTO cqe_sink (id, sentiment) SELECT id, sentiment FROM cqe_src, LATERAL cqe_sentiment(text)$$),
  ($$CREATE CONTINUOUS QUERY e3 WITH ('provenance_column' = 'nope') AS INSERT INTO cqe_sink (id, sentiment) SELECT id, sentiment FROM cqe_src, LATERAL cqe_sentiment(text)$$),
  ($$CREATE CONTINUOUS QUERY e3 WITH ('batch_size' = '1', 'batch_size' = '2') AS INSERT INTO cqe_sink (id, sentiment) SELECT id, sentiment FROM cqe_src, LATERAL cqe_sentiment(text)$$),
  -- statements
  ($$CREATE CONTINUOUS QUERY e3 AS SELECT id, sentiment FROM cqe_src, LATERAL cqe_sentiment(text)$$),
  ($$CREATE CONTINUOUS QUERY public.e3 AS INSERT INTO cqe_sink (id, sentiment) SELECT id, sentiment FROM cqe_src, LATERAL cqe_sentiment(text)$$),
  ($$CREATE OR REPLACE CONTINUOUS QUERY e3 AS INSERT INTO cqe_sink (id, sentiment) SELECT id, sentiment FROM cqe_src, LATERAL cqe_sentiment(text)$$),
  ($$CREATE CONTINUOUS QUERY "a_name_that_is_much_too_long_for_a_continuous_query_name" AS INSERT INTO cqe_sink (id, sentiment) SELECT id, sentiment FROM cqe_src, LATERAL cqe_sentiment(text)$$),
  ($$ALTER CONTINUOUS QUERY nothing PAUSE$$),
  ($$ALTER CONTINUOUS QUERY nothing SET MODEL VERSION 11$$),
  ($$ALTER CONTINUOUS QUERY nothing STOP$$),
  ($$DESCRIBE CONTINUOUS QUERY nothing$$),
  ($$SHOW CREATE CONTINUOUS QUERY nothing$$),
  ($$EXPLAIN CONTINUOUS QUERY nothing$$),
  ($$EXPLAIN MODEL x$$)
) v(s);

-- what is accepted: a created query, then the same name again
BEGIN;
SELECT pg_temp.try($$CREATE CONTINUOUS QUERY e4 AS INSERT INTO cqe_sink (id, score, sentiment) SELECT `cqe_src`.id, p.score, p.sentiment FROM cqe_src, LATERAL TABLE(ML_PREDICT('public.cqe_sentiment$1', `text`)) AS p WHERE n BETWEEN 1 AND 10 AND other IS NOT NULL$$);
SELECT pg_temp.try($$CREATE CONTINUOUS QUERY e4 AS INSERT INTO cqe_sink (id, sentiment) SELECT id, sentiment FROM cqe_src, LATERAL cqe_sentiment(text)$$);
SELECT mlpredict.create_continuous_query('e5', 'INSERT INTO cqe_sink (id, sentiment) SELECT id, answer FROM cqe_src, LATERAL cqe_pair(text, other)');
SELECT name, model_version, inputs, targets, where_clause FROM mlpredict.continuous_query WHERE name IN ('e4', 'e5') ORDER BY name;
ROLLBACK;
SELECT name FROM mlpredict.continuous_query WHERE name LIKE 'e_';

-- clean up
DROP VIEW cqe_view;
DROP TABLE cqe_src, cqe_nopk, cqe_nullable, cqe_sink, cqe_sink_nokey;
SELECT mlpredict.drop_model('cqe_sentiment$all'), mlpredict.drop_model('cqe_pair$all');
SELECT mlpredict.drop_connection('cqe-openai');
SELECT count(*) AS queries_left FROM mlpredict.continuous_query;
DROP EXTENSION mlpredict CASCADE;
