-- pgvector: models whose OUTPUT is a vector(n) or a halfvec(n), called
-- through their typed functions and ml_predict, nearest neighbours of a
-- model's answer, and an HNSW index over stored model output.  Runs only
-- where pgvector is installed (scripts/test.sh says when it skips it).
CREATE EXTENSION IF NOT EXISTS mlpredict;
CREATE EXTENSION IF NOT EXISTS vector;

SELECT mlpredict.create_connection('v-openai', '{"type": "openai", "endpoint": "http://127.0.0.1:18787/v1/embeddings", "api-key": "sk-test-openai-key"}');
-- the stand-in answers OpenAI's "dimensions" with vectors of that length
SELECT mlpredict.create_model('embed_vec', 't STRING', 'v vector(4)', '{"provider": "openai", "task": "embedding", "openai.connection": "v-openai", "openai.params.dimensions": 4}');
SELECT mlpredict.create_model('embed_half', 't STRING', 'v halfvec(4)', '{"provider": "openai", "task": "embedding", "openai.connection": "v-openai", "openai.params.dimensions": 4}');
SELECT * FROM mlpredict.execute($$CREATE MODEL embed_ddl INPUT (t STRING) OUTPUT (v vector(4)) WITH ('provider' = 'openai', 'task' = 'embedding', 'openai.connection' = 'v-openai', 'openai.params.dimensions' = '4')$$);
SELECT name, output FROM mlpredict.models WHERE name LIKE 'embed%' ORDER BY name;
-- the typed functions return the declared types
SELECT p.oid::regprocedure, pg_get_function_result(p.oid)
FROM pg_proc p WHERE p.proname LIKE 'embed%' ORDER BY 1::text;

CREATE TABLE vdocs (id int PRIMARY KEY, body text);
INSERT INTO vdocs VALUES
  (1, 'The mitochondria are the powerhouse of the cell'),
  (2, 'Happy Birthday! You are great!'),
  (3, 'Today was bad day in the stock market.'),
  (4, 'Cells divide by mitosis'),
  (5, 'The market closed higher on Friday'),
  (6, 'naïve 译文 text');

-- typed calls
SELECT id, v FROM vdocs, LATERAL embed_vec(body) ORDER BY id;
SELECT id, v FROM vdocs, LATERAL embed_half(body) ORDER BY id;
SELECT v, pg_typeof(v) FROM embed_vec('alpha');
SELECT v, pg_typeof(v) FROM embed_half('alpha');
SELECT embed_ddl('alpha') = embed_vec('alpha') AS same_model_same_vector;
-- generic calls, with the column type in the column definition list
SELECT id, p.v FROM vdocs, LATERAL mlpredict.ml_predict('embed_vec', body) AS p(v vector(4)) ORDER BY id;
SELECT id, p.v FROM vdocs, LATERAL mlpredict.ml_predict('embed_half', body) AS p(v halfvec(4)) ORDER BY id;
-- typed and generic calls agree; halfvec is vector rounded to half precision
SELECT bool_and(t.v = g.v) AS typed_equals_generic,
       bool_and(h.v = t.v::halfvec(4)) AS halfvec_is_rounded_vector
FROM vdocs,
     LATERAL embed_vec(body) t,
     LATERAL mlpredict.ml_predict('embed_vec', body) AS g(v vector(4)),
     LATERAL embed_half(body) h;
-- a generic call declares the model's type; dimensions, when given, must
-- be the model's too (one call, and pipelined over a table)
SELECT * FROM mlpredict.ml_predict('embed_vec', 'alpha') AS p(v vector);
SELECT * FROM mlpredict.ml_predict('embed_vec', 'alpha') AS p(v vector(3));
SELECT id, p.v FROM vdocs, LATERAL mlpredict.ml_predict('embed_vec', body) AS p(v vector(3));
SELECT * FROM mlpredict.ml_predict('embed_vec', 'alpha') AS p(v halfvec(4));
-- an answer of other dimensions than the model declares is an error
SELECT mlpredict.create_model('embed_short', 't STRING', 'v vector(4)', '{"provider": "openai", "task": "embedding", "openai.connection": "v-openai", "openai.params.dimensions": 3}');
SELECT * FROM embed_short('alpha');
SELECT id, e.v FROM vdocs, LATERAL embed_short(body) e;

-- nearest neighbours of a question's embedding, computed on the fly
SELECT d.id, round((e.v <-> q.v)::numeric, 4) AS distance
FROM vdocs d, LATERAL embed_vec(d.body) e, embed_vec('cell biology') q
ORDER BY e.v <-> q.v, d.id;
SELECT d.id
FROM vdocs d, LATERAL embed_half(d.body) e, embed_half('cell biology') q
ORDER BY e.v <-> q.v, d.id LIMIT 3;

-- storing model output: a function's result carries no typmod, so a table
-- made from it has a vector column without dimensions, which HNSW refuses
CREATE TABLE vstore AS SELECT id, v FROM vdocs, LATERAL embed_vec(body);
SELECT format_type(atttypid, atttypmod) FROM pg_attribute WHERE attrelid = 'vstore'::regclass AND attname = 'v';
CREATE INDEX ON vstore USING hnsw (v vector_l2_ops);
DROP TABLE vstore;
-- the cast gives the column its dimensions, and the index builds
CREATE TABLE vstore AS SELECT id, v::vector(4) AS v FROM vdocs, LATERAL embed_vec(body);
CREATE TABLE hstore AS SELECT id, v::halfvec(4) AS v FROM vdocs, LATERAL embed_half(body);
SELECT attrelid::regclass, format_type(atttypid, atttypmod) FROM pg_attribute
WHERE attrelid IN ('vstore'::regclass, 'hstore'::regclass) AND attname = 'v' ORDER BY 1::text;
CREATE INDEX vstore_hnsw ON vstore USING hnsw (v vector_l2_ops);
CREATE INDEX hstore_hnsw ON hstore USING hnsw (v halfvec_l2_ops);
-- a table declared up front fills from a model in one INSERT ... SELECT
CREATE TABLE vfilled (id int PRIMARY KEY, v vector(4));
CREATE INDEX vfilled_hnsw ON vfilled USING hnsw (v vector_cosine_ops);
INSERT INTO vfilled SELECT id, v FROM vdocs, LATERAL embed_vec(body);
SELECT count(*) FROM vfilled;

-- the indexes answer nearest-neighbour queries on a model's answer
SET enable_seqscan = off;
EXPLAIN (COSTS OFF) SELECT id FROM vstore ORDER BY v <-> '[0,0,0,1]' LIMIT 3;
SELECT id FROM vstore ORDER BY v <-> (SELECT v FROM embed_vec('cell biology')) LIMIT 3;
EXPLAIN (COSTS OFF) SELECT id FROM hstore ORDER BY v <-> '[0,0,0,1]' LIMIT 3;
SELECT id FROM hstore ORDER BY v <-> (SELECT v FROM embed_half('cell biology')) LIMIT 3;
EXPLAIN (COSTS OFF) SELECT id FROM vfilled ORDER BY v <=> '[0,0,0,1]' LIMIT 3;
SELECT id FROM vfilled ORDER BY v <=> (SELECT v FROM embed_vec('cell biology')) LIMIT 3;
RESET enable_seqscan;

DROP TABLE vdocs, vstore, hstore, vfilled;
SET client_min_messages = warning;
DROP EXTENSION mlpredict CASCADE;
RESET client_min_messages;
DROP EXTENSION vector;
