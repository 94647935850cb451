-- Response limits: an output array of more elements than
-- mlpredict.max_output_elements (a vector, a list of labels; a nested
-- array counts all its elements) is refused with 54000 before it is built,
-- whichever way the answer is read (the vector fast path, jsonb, CSV,
-- BINARY, TRITON tensors), one request per row, pipelined or batched; under
-- on_error it fails its rows like any other answer that does not decode.
-- Only a superuser sets the limits.  A redirect (3xx) is never followed and
-- says so.
CREATE EXTENSION IF NOT EXISTS mlpredict;

\i test/helpers/standin.sql
SELECT pg_temp.standin('/_control/reset', 'POST') IS NOT NULL AS reset;

-- err(query): 'ok' and the row count, or the error's SQLSTATE and message
CREATE FUNCTION pg_temp.err(query text) RETURNS text
LANGUAGE plpgsql AS $$
DECLARE
  n bigint;
BEGIN
  EXECUTE format('SELECT count(*) FROM (%s) q', query) INTO n;
  RETURN 'ok, ' || n || ' rows';
EXCEPTION WHEN OTHERS THEN
  RETURN SQLSTATE || ': ' || SQLERRM;
END $$;
-- j(text): a response body given as text
CREATE FUNCTION pg_temp.j(body text) RETURNS bytea LANGUAGE sql AS $$ SELECT convert_to(body, 'UTF8') $$;

SELECT mlpredict.create_connection('l-embed', '{"type": "openai", "endpoint": "http://127.0.0.1:18787/v1/embeddings", "api-key": "sk-test-openai-key"}');
SELECT mlpredict.create_connection('l-chat', '{"type": "openai", "endpoint": "http://127.0.0.1:18787/v1/chat/completions", "api-key": "sk-test-openai-key"}');
SELECT mlpredict.create_model('vec8', 't STRING', 'v ARRAY<FLOAT>', '{"provider": "openai", "task": "embedding", "openai.connection": "l-embed", "openai.params.dimensions": 8, "openai.batch_size": 1}');
SELECT mlpredict.create_model('vec8d', 't STRING', 'v ARRAY<DOUBLE>', '{"provider": "openai", "task": "embedding", "openai.connection": "l-embed", "openai.params.dimensions": 8, "openai.batch_size": 1}');
SELECT mlpredict.create_model('vec8b', 't STRING', 'v ARRAY<FLOAT>', '{"provider": "openai", "task": "embedding", "openai.connection": "l-embed", "openai.params.dimensions": 8, "openai.batch_size": 4}');
SELECT mlpredict.create_model('chat', 'prompt STRING', 'answer STRING', '{"provider": "openai", "task": "text_generation", "openai.connection": "l-chat"}');
CREATE TABLE texts (id int PRIMARY KEY, t text);
INSERT INTO texts SELECT g, 'text number ' || g FROM generate_series(1, 6) g;

-- the default is 100000; equal to the limit passes, one more is refused
SHOW mlpredict.max_output_elements;
SET mlpredict.max_output_elements = 8;
SELECT cardinality(v) FROM vec8('hello');
SELECT cardinality(v) FROM vec8d('hello');
SET mlpredict.max_output_elements = 7;
SELECT cardinality(v) FROM vec8('hello');
SELECT pg_temp.err($$SELECT * FROM vec8d('hello')$$);
SELECT pg_temp.err($$SELECT * FROM mlpredict.ml_predict('vec8', 'hello') AS p(v real[])$$);

-- on_error: null gives NULL, skip drops the row, as for any bad answer
SELECT v IS NULL AS v_null FROM vec8('hello', mlpredict.options(on_error => 'null'));
SELECT count(*) FROM vec8('hello', mlpredict.options(on_error => 'skip'));

-- pipelined, one request per row
SET mlpredict.enable_pipeline = on;
SELECT pg_temp.err($$SELECT id, v FROM texts, LATERAL vec8(t)$$);
SELECT id, v IS NULL AS v_null FROM texts, LATERAL vec8(t, mlpredict.options(on_error => 'null')) ORDER BY id;
SELECT count(*) FROM texts, LATERAL vec8(t, mlpredict.options(on_error => 'skip'));
-- pipelined and batched (4 rows per request): the same
SELECT pg_temp.standin('/_control/reset', 'POST') IS NOT NULL AS reset;
SELECT pg_temp.err($$SELECT id, v FROM texts, LATERAL vec8b(t)$$);
SELECT id, v IS NULL AS v_null FROM texts, LATERAL vec8b(t, mlpredict.options(on_error => 'null')) ORDER BY id;
SELECT count(*) FROM texts, LATERAL vec8b(t, mlpredict.options(on_error => 'skip'));
-- (a batch whose answer does not decode is split until its rows stand
-- alone, so each row fails on its own); at the limit, 6 rows in 2 requests
SET mlpredict.max_output_elements = 8;
SELECT pg_temp.standin('/_control/reset', 'POST') IS NOT NULL AS reset;
SELECT id, cardinality(v) FROM texts, LATERAL vec8b(t) ORDER BY id;
SELECT pg_temp.standin('/_control/stats')->'by_route'->>'openai.embeddings' AS requests;
-- without the pipeline, one call per row
SET mlpredict.enable_pipeline = off;
SET mlpredict.max_output_elements = 7;
SELECT pg_temp.err($$SELECT id, v FROM texts, LATERAL vec8b(t)$$);
SELECT count(*) FROM texts, LATERAL vec8b(t, mlpredict.options(on_error => 'skip'));
RESET mlpredict.enable_pipeline;

-- every decoder checks before it builds the array
SELECT mlpredict.create_model('nested', 'x INT', 'm ARRAY<ARRAY<INT>>', '{"provider": "openai", "task": "classification", "openai.connection": "l-embed", "openai.input_format": "JSON"}');
SELECT mlpredict.create_model('csvv', 'x INT', 'scores ARRAY<FLOAT>', '{"provider": "openai", "task": "classification", "openai.connection": "l-embed", "openai.input_format": "CSV"}');
SELECT mlpredict.create_model('binv', 'x ARRAY<FLOAT>', 'y ARRAY<FLOAT>', '{"provider": "openai", "task": "classification", "openai.connection": "l-embed", "openai.input_format": "BINARY"}');
SELECT mlpredict.create_model('tri', 'x FLOAT', 'probs ARRAY<FLOAT>', '{"provider": "openai", "task": "classification", "openai.connection": "l-embed", "openai.input_format": "TRITON"}');
SET mlpredict.max_output_elements = 8;
-- the vector fast path (an array of numbers) and jsonb (nested arrays:
-- all elements count, 2 x 4 passes, 3 x 3 does not)
SELECT pg_temp.err($$SELECT * FROM mlpredict.decode_response('vec8', pg_temp.j('{"data": [{"embedding": [1,2,3,4,5,6,7,8,9]}]}')) AS t(v real[])$$);
SELECT pg_temp.err($$SELECT * FROM mlpredict.decode_response('vec8', pg_temp.j('{"data": [{"embedding": [1,2,3,4,5,6,7,8]}]}')) AS t(v real[])$$);
SELECT * FROM mlpredict.decode_response('nested', pg_temp.j('{"m": [[1,2,3,4],[5,6,7,8]]}')) AS t(m int[]);
SELECT pg_temp.err($$SELECT * FROM mlpredict.decode_response('nested', pg_temp.j('{"m": [[1,2,3],[4,5,6],[7,8,9]]}')) AS t(m int[])$$);
-- a shape that promises more than the answer holds is refused before
-- room is made for it (not only as "not rectangular")
SELECT pg_temp.err($$SELECT * FROM mlpredict.decode_response('nested', pg_temp.j('{"m": [[1,2,3,4,5,6,7,8,9,10],[1]]}')) AS t(m int[])$$);
SELECT pg_temp.err($$SELECT * FROM mlpredict.decode_response('nested', pg_temp.j('{"m": [[1,2,3,4],[1]]}')) AS t(m int[])$$);
-- CSV fields, BINARY elements, TRITON tensors (JSON and binary data)
SELECT * FROM mlpredict.decode_response('csvv', pg_temp.j('1,2,3,4,5,6,7,8'), 'text/csv') AS t(scores real[]);
SELECT pg_temp.err($$SELECT * FROM mlpredict.decode_response('csvv', pg_temp.j('1,2,3,4,5,6,7,8,"9"'), 'text/csv') AS t(scores real[])$$);
SELECT cardinality(y) FROM mlpredict.decode_response('binv', decode(repeat('0000803f', 8), 'hex'), 'application/octet-stream') AS t(y real[]);
SELECT pg_temp.err($$SELECT * FROM mlpredict.decode_response('binv', decode(repeat('0000803f', 9), 'hex'), 'application/octet-stream') AS t(y real[])$$);
SELECT * FROM mlpredict.decode_response('tri', pg_temp.j('{"outputs": [{"name": "probs", "datatype": "FP32", "shape": [1, 8], "data": [1,2,3,4,5,6,7,8]}]}')) AS t(probs real[]);
SELECT pg_temp.err($$SELECT * FROM mlpredict.decode_response('tri', pg_temp.j('{"outputs": [{"name": "probs", "datatype": "FP32", "shape": [1, 9], "data": [[1,2,3,4,5,6,7,8,9]]}]}')) AS t(probs real[])$$);
WITH r(json) AS (VALUES ('{"outputs": [{"name": "probs", "datatype": "FP32", "shape": [9], "parameters": {"binary_data_size": 36}}]}'))
SELECT pg_temp.err(format($$SELECT * FROM mlpredict.decode_response('tri', %L::bytea, 'application/octet-stream', %L) AS t(probs real[])$$,
  convert_to(r.json, 'UTF8') || decode(repeat('0000803f', 9), 'hex'),
  jsonb_build_object('Inference-Header-Content-Length', octet_length(r.json)::text)))
FROM r;
RESET mlpredict.max_output_elements;

-- only a superuser sets the limits
CREATE ROLE regress_limits_user;
GRANT USAGE ON SCHEMA mlpredict TO regress_limits_user;
SET ROLE regress_limits_user;
SET mlpredict.max_output_elements = 1000000;
SET mlpredict.max_response_size = 1048576;
SET mlpredict.allowed_networks = '0.0.0.0/0';
SET mlpredict.ca_bundle = '/tmp/mine.pem';
SHOW mlpredict.max_output_elements;
RESET ROLE;
DROP OWNED BY regress_limits_user;
DROP ROLE regress_limits_user;
-- a malformed allowed_networks is refused by its check (a superuser
-- cannot SET it either: it is read from the configuration files)
SELECT set_config('mlpredict.allowed_networks', '10.0.0.1/8', false);
ALTER SYSTEM SET mlpredict.allowed_networks = '127.0.0.0/8, localhost';
ALTER SYSTEM SET mlpredict.allowed_networks = '127.0.0.1/8';

-- a redirect is not followed: the error says so and shows the status only
SELECT pg_temp.standin('/_control/reset', 'POST') IS NOT NULL AS reset;
SELECT * FROM chat('where to? [[status:302]]');
SELECT pg_temp.err($$SELECT * FROM chat('where to? [[status:307]]', mlpredict.options(retry_count => 3))$$);
SELECT (pg_temp.standin('/_control/stats')->'by_status'->>'307')::int AS answered_307_once;
SET mlpredict.enable_pipeline = on;
SELECT pg_temp.err($$SELECT id, a.* FROM texts, LATERAL chat(t || ' [[status:301]]') a$$);
RESET mlpredict.enable_pipeline;

DROP EXTENSION mlpredict CASCADE;
