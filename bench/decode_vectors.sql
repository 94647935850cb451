-- Cost of decoding 1536-dimension embedding answers, through
-- mlpredict.decode_response (which also resolves the model on every call).
--   psql -X -d <db> -f bench/decode_vectors.sql
-- Makes its own connection and models (nothing is sent anywhere) and 500
-- OpenAI-shaped answers of 1536 random 6-decimal numbers (about 14.7 kB
-- each).  Prints three timed runs per query: real[] (ARRAY<FLOAT>), float8[]
-- (ARRAY<DOUBLE>), and the per-call floor (a 3-number answer), then a
-- checksum of every decoded value, to compare builds bit for bit.
\set ON_ERROR_STOP 1
SET client_min_messages = warning;
CREATE EXTENSION IF NOT EXISTS mlpredict;
SET mlpredict.allow_insecure_http = on;
SELECT mlpredict.create_connection('bench_dec', '{"type": "openai", "endpoint": "http://127.0.0.1:9/v1/embeddings", "api-key": "sk-bench"}')
WHERE NOT EXISTS (SELECT 1 FROM mlpredict.connections WHERE name = 'bench_dec');
SELECT mlpredict.create_model('bench_dec_f4', 'text STRING', 'e ARRAY<FLOAT>', '{"provider": "openai", "task": "embedding", "openai.connection": "bench_dec"}')
WHERE NOT EXISTS (SELECT 1 FROM mlpredict.models WHERE name = 'bench_dec_f4');
SELECT mlpredict.create_model('bench_dec_f8', 'text STRING', 'e ARRAY<DOUBLE>', '{"provider": "openai", "task": "embedding", "openai.connection": "bench_dec"}')
WHERE NOT EXISTS (SELECT 1 FROM mlpredict.models WHERE name = 'bench_dec_f8');
SELECT setseed(0.42);
DROP TABLE IF EXISTS bench_bodies;
CREATE TEMP TABLE bench_bodies AS
SELECT i, convert_to('{"object":"list","data":[{"object":"embedding","index":0,"embedding":['
       || (SELECT string_agg(round((random() * 2 - 1)::numeric, 6)::text, ',') FROM generate_series(1, 1536) WHERE i > 0)
       || ']}],"model":"text-embedding-3-small","usage":{"prompt_tokens":2,"total_tokens":2}}', 'UTF8') AS body
FROM generate_series(1, 500) i;
SELECT count(*) AS bodies, avg(length(body))::int AS avg_bytes FROM bench_bodies;
-- warm up
SELECT count(*) FROM bench_bodies, LATERAL mlpredict.decode_response('bench_dec_f4', body) AS d(e real[]);
\timing on
SELECT count(*) FROM bench_bodies, LATERAL mlpredict.decode_response('bench_dec_f4', body) AS d(e real[]);
SELECT count(*) FROM bench_bodies, LATERAL mlpredict.decode_response('bench_dec_f4', body) AS d(e real[]);
SELECT count(*) FROM bench_bodies, LATERAL mlpredict.decode_response('bench_dec_f4', body) AS d(e real[]);
SELECT count(*) FROM bench_bodies, LATERAL mlpredict.decode_response('bench_dec_f8', body) AS d(e float8[]);
SELECT count(*) FROM bench_bodies, LATERAL mlpredict.decode_response('bench_dec_f8', body) AS d(e float8[]);
SELECT count(*) FROM bench_bodies, LATERAL mlpredict.decode_response('bench_dec_f8', body) AS d(e float8[]);
-- the floor: resolving the model and a 3-number answer, per call
SELECT count(*) FROM bench_bodies, LATERAL mlpredict.decode_response('bench_dec_f4', convert_to('{"data":[{"embedding":[0.1,0.2,' || i || ']}]}', 'UTF8')) AS d(e real[]);
SELECT count(*) FROM bench_bodies, LATERAL mlpredict.decode_response('bench_dec_f4', convert_to('{"data":[{"embedding":[0.1,0.2,' || i || ']}]}', 'UTF8')) AS d(e real[]);
SELECT count(*) FROM bench_bodies, LATERAL mlpredict.decode_response('bench_dec_f4', convert_to('{"data":[{"embedding":[0.1,0.2,' || i || ']}]}', 'UTF8')) AS d(e real[]);
\timing off
SELECT md5(string_agg(float4send(x)::text, '' ORDER BY i, n)) AS f4_checksum
FROM bench_bodies, LATERAL mlpredict.decode_response('bench_dec_f4', body) AS d(e real[]), unnest(e) WITH ORDINALITY AS u(x, n);
SELECT md5(string_agg(float8send(x)::text, '' ORDER BY i, n)) AS f8_checksum
FROM bench_bodies, LATERAL mlpredict.decode_response('bench_dec_f8', body) AS d(e float8[]), unnest(e) WITH ORDINALITY AS u(x, n);
