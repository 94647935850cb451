-- Flink queries pasted verbatim into mlpredict.execute(): the product page's
-- examples (several statements on one line run in order), the query forms
-- of Confluent's documentation and of open-source Flink 2.x, run against the
-- local stand-in; mlpredict.translate() shows the PostgreSQL text of each.
-- AI_COMPLETE, AI_EMBEDDING and ML_EVALUATE are translated here (their
-- functions are another part's); three-part names; bad input.
CREATE EXTENSION IF NOT EXISTS mlpredict;
-- rows come back as json; these show them as text, in a stable order
CREATE FUNCTION pg_temp.run(stmt text) RETURNS SETOF text LANGUAGE sql AS $$
  SELECT j::text FROM mlpredict.execute(stmt) AS j $$;

-- ===================================================================
-- The product page (../shared/seed/run-an-ai-model-with-flink.txt)
-- ===================================================================
-- Text embedding: two statements on one line
SELECT * FROM mlpredict.execute($$CREATE TABLE `text_input` ( `id` STRING, `input` STRING ); INSERT INTO text_input VALUES ('1', 'alien'), ('2', 'golden finger'), ('3', 'license to kill'), ('4', 'aliens');$$);
SELECT * FROM mlpredict.execute($$CREATE CONNECTION azureopenai-cli-connection WITH ( 'type' = 'azureopenai', 'endpoint' = 'http://127.0.0.1:18787/openai/deployments/my-embedding/embeddings?api-version=2024-06-01', 'api-key' = 'azure-test-key' );$$);
SELECT * FROM mlpredict.execute($$CREATE MODEL azure_embed INPUT (text STRING) OUTPUT (response ARRAY<FLOAT>) WITH ( 'azureopenai.connection'='azureopenai-cli-connection', 'provider'='azureopenai', 'task'='embedding' );$$);
SELECT mlpredict.translate($$SELECT * from text_input, LATERAL TABLE(ML_PREDICT('azure_embed', input));$$);
SELECT j->>'id' AS id, j->>'input' AS input, json_array_length(j->'response') AS dims
FROM mlpredict.execute($$SELECT * from text_input, LATERAL TABLE(ML_PREDICT('azure_embed', input));$$) AS j ORDER BY 1;
-- the same rows as the PostgreSQL form
SELECT count(*) AS same FROM mlpredict.execute($$SELECT * from text_input, LATERAL TABLE(ML_PREDICT('azure_embed', input));$$) AS j
JOIN (SELECT id, input, e.response FROM text_input, LATERAL mlpredict.ml_predict('azure_embed', input) AS e(response real[])) p
  ON p.id = j->>'id' AND to_jsonb(p.response) = (j->'response')::jsonb;

-- AWS Bedrock
SELECT * FROM mlpredict.execute($$CREATE CONNECTION bedrock-cli-connection WITH ( 'type' = 'bedrock', 'endpoint' = 'http://bedrock-runtime.us-east-1.localhost:18787/model/amazon.titan-embed-text-v1/invoke', 'aws_access_key_id' = 'ASIAMLPREDICTTEST02', 'aws_secret_access_key' = 'mlpredict+session/Secret/Key9876543210zyxwvu', 'aws_session_token' = 'IQoJb3JpZ2luX2VjEMLPREDICT//session+token/TEST==' );$$);
SELECT * FROM mlpredict.execute($$CREATE MODEL bedrock_embed INPUT (text STRING) OUTPUT (response ARRAY<FLOAT>) WITH ( 'bedrock.connection'='bedrock-cli-connection', 'bedrock.input_format'='AMAZON-TITAN-EMBED', 'provider'='bedrock', 'task'='embedding' );$$);
SELECT j->>'id' AS id, j->>'input' AS input, json_array_length(j->'response') AS dims
FROM mlpredict.execute($$SELECT * from text_input, LATERAL TABLE(ML_PREDICT('bedrock_embed', input));$$) AS j ORDER BY 1;

-- Google AI: the page selects from google_input without creating it
SELECT * FROM mlpredict.execute($$CREATE TABLE google_input (id INT, text STRING); INSERT INTO google_input VALUES (1, 'Good morning'), (2, 'Thank you very much')$$);
SELECT * FROM mlpredict.execute($$CREATE CONNECTION googleai-cli-connection WITH ( 'type' = 'googleai', 'endpoint' = 'http://127.0.0.1:18787/v1beta/models/gemini-2.0-flash:generateContent', 'api-key' = 'AIzaSyMLPREDICT-test-key-0123456789' );$$);
SELECT * FROM mlpredict.execute($$CREATE MODEL google_text_cli INPUT (`text` VARCHAR(2147483647)) OUTPUT (`output` VARCHAR(2147483647)) WITH ( 'googleai.connection' = 'googleai-cli-connection', 'googleai.system_prompt' = 'translate text to chinese', 'provider' = 'googleai', 'task' = 'text_generation' );$$);
SELECT mlpredict.translate($$SELECT * FROM google_input, LATERAL TABLE(ML_PREDICT('google_text_cli', text));$$);
SELECT * FROM pg_temp.run($$SELECT * FROM google_input, LATERAL TABLE(ML_PREDICT('google_text_cli', text));$$) ORDER BY 1;

-- Sentiment analysis with OpenAI: four statements on one line
SELECT * FROM mlpredict.execute($$CREATE TABLE text_stream ( id BIGINT, text STRING ); INSERT INTO text_stream SELECT 1 id, 'The mitochondria are the powerhouse of the cell' text; INSERT INTO text_stream SELECT 2 id, 'Happy Birthday! You are great!' text; INSERT INTO text_stream SELECT 3 id, 'Today was bad day in the stock market.' text;$$);
SELECT * FROM mlpredict.execute($$CREATE CONNECTION openai-connection WITH ( 'type' = 'openai', 'endpoint' = 'http://127.0.0.1:18787/v1/chat/completions', 'api-key' = 'sk-test-openai-key' );$$);
SELECT * FROM mlpredict.execute($$CREATE MODEL sentimentmodel INPUT(text STRING) OUTPUT(sentiment STRING) COMMENT 'sentiment analysis model' WITH ( 'provider' = 'openai', 'task' = 'classification', 'openai.connection' = 'openai-connection', 'openai.model_version' = 'gpt-3.5-turbo', 'openai.system_prompt' = 'Analyze the sentiment of the text and return only POSITIVE, NEGATIVE, or NEUTRAL.' );$$);
SELECT mlpredict.translate($$SELECT id, text, sentiment FROM text_stream, LATERAL TABLE(ML_PREDICT('sentimentmodel', text));$$);
SELECT * FROM pg_temp.run($$SELECT id, text, sentiment FROM text_stream, LATERAL TABLE(ML_PREDICT('sentimentmodel', text));$$) ORDER BY 1;
-- the CREATE TABLE made a PostgreSQL table with PostgreSQL types
SELECT attname, format_type(atttypid, atttypmod) FROM pg_attribute
WHERE attrelid = 'text_stream'::regclass AND attnum > 0 ORDER BY attnum;

-- ===================================================================
-- Confluent's documentation (../shared/reference/confluent.md §6)
-- ===================================================================
SELECT * FROM mlpredict.execute($$CREATE TABLE my_table (id INT, text STRING); INSERT INTO my_table VALUES (1, 'I love it'), (2, 'I hate it')$$);
SELECT * FROM mlpredict.execute($$CREATE MODEL sentiment_model INPUT (text STRING) OUTPUT (label STRING) WITH ('provider' = 'openai', 'task' = 'classification', 'openai.connection' = 'openai-connection', 'openai.system_prompt' = 'Analyze the sentiment of the text and return only POSITIVE, NEGATIVE, or NEUTRAL.')$$);
SELECT mlpredict.translate($$SELECT t.id, p.label
FROM   my_table AS t,
       LATERAL TABLE(ML_PREDICT('sentiment_model', t.text)) AS p(label);$$);
SELECT * FROM pg_temp.run($$SELECT t.id, p.label
FROM   my_table AS t,
       LATERAL TABLE(ML_PREDICT('sentiment_model', t.text)) AS p(label);$$) ORDER BY 1;
-- CROSS JOIN LATERAL TABLE, a version, and runtime options as MAP[...]
SELECT * FROM pg_temp.run($$SELECT t.id, p.label FROM my_table AS t CROSS JOIN LATERAL TABLE(ML_PREDICT('sentiment_model$1', t.text, MAP['client_timeout', 60, 'debug', false])) AS p(label) WHERE t.id = 1$$);
-- JOIN LATERAL TABLE(...) ON TRUE, an alias without AS, a WITH query, and
-- the model as a backquoted name (landscape-2026.md's template:
-- ML_PREDICT(`model_name[$version_id]`, column, map[...]))
SELECT * FROM pg_temp.run($$WITH w AS (SELECT * FROM my_table WHERE id = 2) SELECT w.id, p.label FROM w LEFT JOIN LATERAL TABLE(ML_PREDICT(`sentiment_model$1`, w.text, map['async_enabled', true])) p ON TRUE$$);
SELECT mlpredict.translate($$WITH w AS (SELECT * FROM my_table WHERE id = 2) SELECT w.id, p.label FROM w LEFT JOIN LATERAL TABLE(ML_PREDICT(`sentiment_model$1`, w.text, map['async_enabled', true])) p ON TRUE$$);
-- INSERT INTO ... SELECT with ML_PREDICT
SELECT * FROM mlpredict.execute($$CREATE TABLE labels (id INT, label STRING)$$);
SELECT * FROM mlpredict.execute($$INSERT INTO labels SELECT t.id, p.label FROM my_table AS t, LATERAL TABLE(ML_PREDICT('sentiment_model', t.text)) AS p(label)$$);
SELECT * FROM labels ORDER BY id;

-- ===================================================================
-- Confluent, late 2026 (../shared/reference/landscape-2026.md b1)
-- ===================================================================
CREATE SCHEMA db1;
SELECT * FROM mlpredict.execute($$CREATE TABLE `db1`.`tb1` (`key` STRING); INSERT INTO `db1`.`tb1` VALUES ('alpha'), ('beta')$$);
SELECT * FROM mlpredict.execute($$CREATE MODEL md1 INPUT (key STRING) OUTPUT (answer STRING) WITH ('provider' = 'openai', 'task' = 'text_generation', 'openai.connection' = 'openai-connection')$$);
SELECT mlpredict.translate($$SELECT * FROM `db1`.`tb1`, LATERAL TABLE(ML_PREDICT('md1', key, map['async_enabled', true, 'client_timeout', 60, 'max_parallelism', 20, 'retry_count', 5]));$$);
SELECT j->>'key' AS key, j->>'answer' <> '' AS answered
FROM mlpredict.execute($$SELECT * FROM `db1`.`tb1`, LATERAL TABLE(ML_PREDICT('md1', key, map['async_enabled', true, 'client_timeout', 60, 'max_parallelism', 20, 'retry_count', 5]));$$) AS j ORDER BY 1;
-- AI_COMPLETE / AI_EMBEDDING (run by the integrator's tests; translated here)
SELECT * FROM mlpredict.execute($$CREATE TABLE claims_submitted (id STRING, customer_id STRING, description STRING)$$);
SELECT * FROM mlpredict.execute($$CREATE MODEL description_extractor INPUT (prompt STRING) OUTPUT (output_json STRING) WITH ('provider' = 'openai', 'task' = 'text_generation', 'openai.connection' = 'openai-connection')$$);
SELECT * FROM mlpredict.execute($$CREATE MODEL description_embedding INPUT (text STRING) OUTPUT (embeddings ARRAY<FLOAT>) WITH ('azureopenai.connection'='azureopenai-cli-connection', 'provider'='azureopenai', 'task'='embedding')$$);
SELECT mlpredict.translate($$INSERT INTO claims_with_structured_description
  SELECT id, customer_id, output_json FROM claims_submitted, LATERAL TABLE(AI_COMPLETE('description_extractor', description));$$);
SELECT mlpredict.translate($$INSERT INTO claims_embeddings
  SELECT id, customer_id, embeddings FROM claims_submitted, LATERAL TABLE(AI_EMBEDDING('description_embedding', description));$$);
SELECT mlpredict.translate($$SELECT id, r.answer FROM claims_submitted, LATERAL TABLE(AI_COMPLETE('description_extractor', description, MAP['debug', true])) AS r(answer)$$);
SELECT mlpredict.translate($$SELECT id, AI_COMPLETE('description_extractor', description), AI_EMBEDDING(`description_embedding`, description) AS v FROM claims_submitted$$);
-- ML_EVALUATE (confluent.md §6.5)
SELECT mlpredict.translate($$SELECT ML_EVALUATE(`sentiment_model$all`, label, text) FROM eval_table;$$);
SELECT mlpredict.translate($$SELECT ML_EVALUATE('sentiment_model$1', l.label, t.text) FROM my_table t JOIN labels l ON l.id = t.id WHERE t.id > 0$$);
-- ... and run end to end (the verbatim INSERTs of Confluent's AI_COMPLETE /
-- AI_EMBEDDING page, the select-list forms, ML_EVALUATE)
SELECT * FROM mlpredict.execute($$INSERT INTO claims_submitted VALUES ('c1', 'u1', 'hail damage to the roof'), ('c2', 'u2', 'rear bumper dented')$$);
SELECT * FROM mlpredict.execute($$CREATE TABLE claims_with_structured_description (id STRING, customer_id STRING, output_json STRING); CREATE TABLE claims_embeddings (id STRING, customer_id STRING, embeddings ARRAY<FLOAT>)$$);
SELECT * FROM mlpredict.execute($$INSERT INTO claims_with_structured_description
  SELECT id, customer_id, output_json FROM claims_submitted, LATERAL TABLE(AI_COMPLETE('description_extractor', description));$$);
SELECT * FROM mlpredict.execute($$INSERT INTO claims_embeddings
  SELECT id, customer_id, embeddings FROM claims_submitted, LATERAL TABLE(AI_EMBEDDING('description_embedding', description));$$);
SELECT id, output_json FROM claims_with_structured_description ORDER BY id;
SELECT id, array_length(embeddings, 1) > 0 AS has_vector FROM claims_embeddings ORDER BY id;
SELECT j->>'id' AS id, j->>'answer' AS answer
  FROM mlpredict.execute($$SELECT id, r.answer FROM claims_submitted, LATERAL TABLE(AI_COMPLETE('description_extractor', description, MAP['debug', false])) AS r(answer)$$) AS j ORDER BY 1;
SELECT j->>'id' AS id, j->>'ai_complete' AS completion, json_array_length(j->'v') > 0 AS has_vector
  FROM mlpredict.execute($$SELECT id, AI_COMPLETE('description_extractor', description), AI_EMBEDDING(`description_embedding`, description) AS v FROM claims_submitted$$) AS j ORDER BY 1;
SELECT * FROM mlpredict.execute($$CREATE TABLE eval_table (label STRING, text STRING); INSERT INTO eval_table VALUES ('POSITIVE', 'I love it'), ('NEGATIVE', 'I hate it')$$);
SELECT j->>'model' AS model, j->>'version' AS version,
       (SELECT string_agg(k, ', ' ORDER BY k) FROM json_object_keys(j->'metrics') AS k) AS metric_keys
  FROM mlpredict.execute($$SELECT ML_EVALUATE(`sentiment_model$all`, label, text) FROM eval_table;$$) AS j;

-- ===================================================================
-- Open-source Flink 2.x: ML_PREDICT(TABLE t, MODEL m, DESCRIPTOR(...))
-- ===================================================================
SELECT * FROM mlpredict.execute($$CREATE CONNECTION azureml WITH ('type' = 'azureml', 'endpoint' = 'http://127.0.0.1:18787/score', 'api-key' = 'azureml-test-key-0123456789')$$);
SELECT * FROM mlpredict.execute($$CREATE TABLE input_table (id INT, feature1 INT, feature2 INT, label STRING); INSERT INTO input_table VALUES (1, 5000, 35, 'x'), (2, 200, 70, 'y')$$);
SELECT * FROM mlpredict.execute($$CREATE MODEL my_model INPUT (feature1 INT, feature2 INT) OUTPUT (label DOUBLE) WITH ('provider' = 'azureml', 'task' = 'classification', 'azureml.connection' = 'azureml')$$);
SELECT mlpredict.translate($$SELECT * FROM ML_PREDICT(TABLE input_table, MODEL my_model, DESCRIPTOR(feature1, feature2),
                         MAP['async', 'true', 'timeout', '100s']);$$);
-- output: the input columns, then the OUTPUT columns; label clashes: label0
SELECT * FROM pg_temp.run($$SELECT * FROM ML_PREDICT(TABLE input_table, MODEL my_model, DESCRIPTOR(feature1, feature2),
                         MAP['async', 'true', 'timeout', '100s']);$$) ORDER BY 1;
SELECT mlpredict.translate($$SELECT * FROM ML_PREDICT(TABLE input_table, MODEL my_model, DESCRIPTOR(feature1, feature2), CONFIG => MAP['max-concurrent-operations', '4', 'output-mode', 'ALLOW_UNORDERED', 'timeout', '2 min', 'retry_count', 2]) AS p WHERE p.label0 > 0$$);
SELECT * FROM pg_temp.run($$SELECT * FROM ML_PREDICT(INPUT => TABLE input_table, MODEL => MODEL my_model,
                         ARGS => DESCRIPTOR(feature1, feature2), CONFIG => MAP['async', 'true']);$$) ORDER BY 1;
-- both forms run through the pipelined LATERAL join
CREATE FUNCTION pg_temp.plan(stmt text) RETURNS SETOF text LANGUAGE plpgsql AS $f$
BEGIN
  RETURN QUERY EXECUTE 'EXPLAIN (COSTS OFF) ' || mlpredict.translate(stmt);
END $f$;
SELECT * FROM pg_temp.plan($$SELECT * FROM ML_PREDICT(TABLE input_table, MODEL my_model, DESCRIPTOR(feature1, feature2))$$);
SELECT * FROM pg_temp.plan($$SELECT id, text, sentiment FROM text_stream, LATERAL TABLE(ML_PREDICT('sentimentmodel', text))$$);
SELECT * FROM mlpredict.execute($$EXPLAIN PLAN FOR SELECT id, text, sentiment FROM text_stream, LATERAL TABLE(ML_PREDICT('sentimentmodel', text))$$);
SELECT mlpredict.translate($$EXPLAIN ESTIMATED_COST, CHANGELOG_MODE SELECT * FROM ML_PREDICT(TABLE input_table, MODEL my_model, DESCRIPTOR(feature1, feature2))$$);
-- MLPredictITCase: SELECT id, z FROM ML_PREDICT(TABLE src, MODEL m1, DESCRIPTOR(`id`))
SELECT * FROM mlpredict.execute($$CREATE TABLE src (id STRING); INSERT INTO src VALUES ('a'), ('b')$$);
SELECT * FROM mlpredict.execute($$CREATE MODEL m1 INPUT (id STRING) OUTPUT (z STRING) WITH ('provider' = 'openai', 'task' = 'text_generation', 'openai.connection' = 'openai-connection')$$);
SELECT j->>'id' AS id, j->>'z' <> '' AS has_z FROM mlpredict.execute($$SELECT id, z FROM ML_PREDICT(TABLE src, MODEL m1, DESCRIPTOR(`id`))$$) AS j ORDER BY 1;

-- ===================================================================
-- Flink's CREATE TABLE: types, keys, watermark, connector options
-- ===================================================================
SELECT mlpredict.translate($$CREATE TABLE orders (
  order_id BIGINT NOT NULL,
  customer VARCHAR(2147483647) COMMENT 'who',
  amount DECIMAL(10, 2),
  tags ARRAY<STRING>,
  attrs MAP<STRING, STRING>,
  address ROW<street STRING, zip INT>,
  ts TIMESTAMP(3),
  ts_ltz TIMESTAMP_LTZ(3),
  PRIMARY KEY (order_id) NOT ENFORCED,
  WATERMARK FOR ts AS ts - INTERVAL '5' SECOND
) DISTRIBUTED BY HASH(order_id) INTO 4 BUCKETS WITH ('connector' = 'kafka', 'changelog.mode' = 'append')$$);
SELECT * FROM mlpredict.execute($$CREATE TABLE IF NOT EXISTS `env`.`cluster`.`Orders` (id INT PRIMARY KEY NOT ENFORCED, note STRING) WITH ('connector' = 'datagen')$$);
SELECT * FROM mlpredict.execute($$CREATE TABLE summary AS SELECT id, text FROM text_stream WHERE id < 3$$);
SELECT * FROM summary ORDER BY id;
SELECT * FROM mlpredict.execute($$INSERT INTO `Orders` VALUES (1, 'x'), (2, 'y')$$);
SELECT * FROM mlpredict.execute($$INSERT INTO `Orders` VALUES (1, 'x')$$);

-- ===================================================================
-- Identifiers: unquoted ones fold to lower case, backquoted keep case
-- ===================================================================
SELECT * FROM pg_temp.run($$SELECT ID, Text FROM Text_Stream WHERE Id = 1$$);
SELECT * FROM pg_temp.run($$SELECT `id` FROM `Orders` ORDER BY `id`$$);
SELECT * FROM pg_temp.run($$SELECT CAST(id AS STRING) AS s, CAST(`id` AS DOUBLE) AS d FROM `Orders` ORDER BY 1 LIMIT 1$$);
SELECT * FROM mlpredict.execute($$SELECT * FROM `text_Stream`$$);

-- ===================================================================
-- Three-part names: `env`.`cluster`.`name` means name
-- ===================================================================
SELECT * FROM mlpredict.execute($$CREATE CONNECTION `my-env`.`my-cluster`.`openai-3p` WITH ('type' = 'openai', 'endpoint' = 'http://127.0.0.1:18787/v1/chat/completions', 'api-key' = 'sk-test-openai-key')$$);
SELECT * FROM mlpredict.execute($$CREATE MODEL `my-env`.`my-cluster`.`sentiment3` INPUT (text STRING) OUTPUT (sentiment STRING) WITH ('provider' = 'openai', 'task' = 'classification', 'openai.connection' = 'openai-3p', 'openai.system_prompt' = 'Analyze the sentiment of the text and return only POSITIVE, NEGATIVE, or NEUTRAL.')$$);
SELECT * FROM mlpredict.execute($$DESCRIBE MODEL `my-env`.`my-cluster`.`sentiment3`$$);
SELECT * FROM mlpredict.execute($$DESCRIBE CONNECTION `my-env`.`my-cluster`.`openai-3p`$$);
SELECT * FROM mlpredict.execute($$ALTER MODEL `my-env`.`my-cluster`.`sentiment3$1` SET ('openai.params.temperature' = '0')$$);
SELECT version_id, is_default_version, inputs FROM mlpredict.describe_model('my-env.my-cluster.sentiment3');
SELECT * FROM pg_temp.run($$SELECT id, sentiment FROM `my-env`.`my-cluster`.`text_stream`, LATERAL TABLE(ML_PREDICT('`my-env`.`my-cluster`.`sentiment3$1`', text)) WHERE id = 2$$);
SELECT p.sentiment FROM text_stream, LATERAL mlpredict.ml_predict('env.cluster.sentiment3$latest', text) AS p(sentiment text) WHERE id = 3;
SELECT * FROM pg_temp.run($$SELECT * FROM ML_PREDICT(TABLE `e`.`c`.`text_stream`, MODEL `e`.`c`.`sentiment3`, DESCRIPTOR(text)) WHERE id = 1$$);
-- four parts, or a two-part connection: errors
SELECT * FROM mlpredict.execute($$DESCRIBE MODEL a.b.c.sentiment3$$);
SELECT * FROM mlpredict.describe_model('a.b.c.sentiment3');
-- the connection named in a model option may be three-part too: stored as its name
SELECT * FROM mlpredict.execute($$CREATE MODEL `my-env`.`my-cluster`.`sentiment3` INPUT (text STRING) OUTPUT (sentiment STRING) WITH ('provider' = 'openai', 'task' = 'classification', 'openai.connection' = '`my-env`.`my-cluster`.`openai-3p`')$$);
SELECT * FROM mlpredict.execute($$ALTER MODEL sentiment3$2 SET ('openai.connection' = 'my-env.my-cluster.openai-3p')$$);
SELECT version, options->>'openai.connection' AS connection FROM mlpredict.models WHERE name = 'sentiment3' ORDER BY version;
SELECT p.s IS NOT NULL AS answered FROM mlpredict.ml_predict('sentiment3$2', 'I love it') AS p(s text);
SELECT * FROM mlpredict.execute($$ALTER MODEL sentiment3$2 SET ('openai.connection' = 'a.b.c.openai-3p')$$);
SELECT * FROM mlpredict.execute($$DROP MODEL sentiment3$2$$);
SELECT * FROM mlpredict.execute($$DESCRIBE CONNECTION c.`openai-3p`$$);
SELECT * FROM mlpredict.describe_connection('x.openai-3p');
SELECT * FROM mlpredict.execute($$SELECT * FROM a.b.c.text_stream$$);
SELECT * FROM mlpredict.execute($$DROP MODEL `my-env`.`my-cluster`.`sentiment3`; DROP CONNECTION `my-env`.`my-cluster`.`openai-3p`$$);

-- ===================================================================
-- Scripts: statements run in order, in one transaction
-- ===================================================================
SELECT * FROM mlpredict.execute($$SHOW MODELS LIKE 'sentiment%'; SELECT count(*) AS n FROM text_stream; -- a comment; with a semicolon
  DESCRIBE MODEL sentimentmodel;$$);
-- Flink's statement set: its INSERTs run in order, in the same transaction
SELECT * FROM mlpredict.execute($$EXECUTE STATEMENT SET
BEGIN
  INSERT INTO labels SELECT t.id + 10, p.label FROM my_table AS t, LATERAL TABLE(ML_PREDICT('sentiment_model', t.text)) AS p(label);
  INSERT INTO labels VALUES (20, 'manual');
END;$$);
SELECT * FROM labels WHERE id >= 10 ORDER BY id;
-- an error in the second statement undoes the first
SELECT * FROM mlpredict.execute($$INSERT INTO text_stream VALUES (9, 'never'); SELECT * FROM nosuch$$);
SELECT count(*) FROM text_stream WHERE id = 9;
SELECT mlpredict.translate($$CREATE MODEL x INPUT (a STRING) OUTPUT (b STRING) WITH ('provider' = 'openai'); SELECT * FROM my_table, LATERAL TABLE(ML_PREDICT('sentiment_model', text)) AS p$$);

-- ===================================================================
-- Bad input: errors with positions in the statement as written
-- ===================================================================
-- unknown model, unknown table, wrong arity, unterminated MAP
SELECT * FROM mlpredict.execute($$SELECT * FROM my_table, LATERAL TABLE(ML_PREDICT('no_such_model', text))$$);
SELECT * FROM mlpredict.execute($$SELECT * FROM ML_PREDICT(TABLE no_such_table, MODEL my_model, DESCRIPTOR(feature1, feature2))$$);
SELECT * FROM mlpredict.execute($$SELECT * FROM ML_PREDICT(TABLE input_table, MODEL my_model, DESCRIPTOR(feature1, nope))$$);
SELECT * FROM mlpredict.execute($$SELECT * FROM my_table, LATERAL TABLE(ML_PREDICT('sentiment_model', id, text))$$);
SELECT * FROM mlpredict.execute($$SELECT * FROM ML_PREDICT(TABLE input_table, MODEL my_model, DESCRIPTOR(feature1))$$);
SELECT * FROM mlpredict.execute($$SELECT * FROM my_table, LATERAL TABLE(ML_PREDICT('sentiment_model', text, MAP['debug', true))$$);
SELECT * FROM mlpredict.execute($$SELECT * FROM my_table, LATERAL TABLE(ML_PREDICT('sentiment_model', text)) AS p(a, b)$$);
SELECT * FROM mlpredict.execute($$SELECT AI_COMPLETE('description_extractor') FROM my_table$$);
SELECT * FROM mlpredict.execute($$SELECT ML_PREDICT('sentiment_model', text) FROM my_table$$);
SELECT * FROM mlpredict.execute($$SELECT id, ML_EVALUATE('sentiment_model', label, text) FROM my_table$$);
-- Flink constructs without a PostgreSQL translation: 0A000 at their position
SELECT * FROM mlpredict.execute($$SELECT window_start, COUNT(*) FROM TABLE(TUMBLE(TABLE orders, DESCRIPTOR(ts), INTERVAL '10' MINUTES)) GROUP BY window_start$$);
SELECT * FROM mlpredict.execute($$SELECT * FROM orders MATCH_RECOGNIZE (PARTITION BY id ORDER BY ts MEASURES A.id AS aid PATTERN (A) DEFINE A AS A.id > 0)$$);
SELECT * FROM mlpredict.execute($$SELECT o.id FROM orders o JOIN rates FOR SYSTEM_TIME AS OF o.ts AS r ON r.id = o.id$$);
SELECT * FROM mlpredict.execute($$SELECT HOP_START(ts, INTERVAL '1' MINUTE, INTERVAL '5' MINUTE) FROM orders$$);
SELECT * FROM mlpredict.execute($$SELECT * FROM input_table, LATERAL TABLE(VECTOR_SEARCH_AGG('elastic', DESCRIPTOR(embedding), embedding, 3))$$);
SELECT * FROM mlpredict.execute($$INSERT OVERWRITE labels SELECT 1, 'x'$$);
SELECT * FROM mlpredict.execute($$CREATE TABLE bad (id INT, id2 AS id + 1)$$);
SELECT * FROM mlpredict.execute($$CREATE TABLE bad (id INT, part STRING METADATA FROM 'partition')$$);
SELECT * FROM mlpredict.execute($$CREATE TABLE bad (id INT, v NOSUCHTYPE)$$);
-- the SQLSTATEs: 0A000 for what has no translation
CREATE FUNCTION pg_temp.sqlstate(stmt text) RETURNS text LANGUAGE plpgsql AS $f$
BEGIN
  PERFORM mlpredict.translate(stmt);
  RETURN 'translated';
EXCEPTION WHEN OTHERS THEN
  RETURN SQLSTATE || ': ' || SQLERRM;
END $f$;
SELECT s AS statement, pg_temp.sqlstate(s) AS result FROM (VALUES
  ($$SELECT * FROM TABLE(TUMBLE(TABLE orders, DESCRIPTOR(ts), INTERVAL '10' MINUTES))$$),
  ($$SELECT * FROM TABLE(HOP(TABLE orders, DESCRIPTOR(ts), INTERVAL '5' MINUTES, INTERVAL '10' MINUTES))$$),
  ($$SELECT * FROM TABLE(CUMULATE(TABLE orders, DESCRIPTOR(ts), INTERVAL '2' MINUTES, INTERVAL '10' MINUTES))$$),
  ($$SELECT TUMBLE_START(ts, INTERVAL '1' DAY), COUNT(*) FROM orders GROUP BY TUMBLE(ts, INTERVAL '1' DAY)$$),
  ($$SELECT * FROM orders MATCH_RECOGNIZE (ORDER BY ts PATTERN (A) DEFINE A AS true)$$),
  ($$SELECT * FROM orders o JOIN rates FOR SYSTEM_TIME AS OF o.ts AS r ON r.id = o.id$$),
  ($$SELECT PROCTIME() FROM orders$$),
  ($$SELECT * FROM t, LATERAL TABLE(AI_TOOL_INVOKE('m', 'p', MAP[], MAP[]))$$),
  ($$SELECT * FROM t, LATERAL TABLE(ML_FORECAST(v, ts))$$),
  ($$SELECT * FROM t, LATERAL TABLE(UNNEST_IT(v))$$),
  ($$SELECT * FROM TABLE(my_function(1))$$),
  ($$SELECT ML_PREDICT('sentiment_model', text) FROM my_table$$),
  ($$INSERT OVERWRITE labels SELECT 1, 'x'$$),
  ($$CREATE TABLE bad (id INT, id2 AS id + 1)$$),
  ($$CREATE TABLE bad LIKE orders$$),
  ($$SELECT * FROM my_table, LATERAL TABLE(ML_PREDICT('no_such_model', text))$$),
  ($$SELECT * FROM my_table, LATERAL TABLE(ML_PREDICT('sentiment_model', id, text))$$),
  ($$SELECT * FROM my_table, LATERAL TABLE(ML_PREDICT('sentiment_model', text, MAP['debug', true))$$),
  ($$SELECT * FROM my_table, LATERAL TABLE(ML_PREDICT('sentiment_model$11', text))$$),
  ($$SELECT * FROM my_table, LATERAL TABLE(ML_PREDICT('sentiment_model$2', text))$$),
  ($$SELECT * FROM ML_PREDICT(TABLE input_table, MODEL my_model)$$),
  ($$SELECT * FROM ML_PREDICT(TABLE input_table, MODEL my_model, DESCRIPTOR(feature1, feature2), MAP['a', 1], 5)$$),
  ($$SELECT `unterminated FROM t$$)
) v(s);
-- Flink keeps the case of every identifier: a model created as `MyModel`
-- is called as 'MyModel' or MyModel, one created as MyModel (folded here)
-- as `MyModel`; the name as folded (PostgreSQL's rule) is tried first
SELECT * FROM mlpredict.execute($$CREATE MODEL `MyModel` INPUT (text STRING) OUTPUT (label STRING) WITH ('provider' = 'openai', 'task' = 'classification', 'openai.connection' = 'openai-connection')$$);
SELECT * FROM mlpredict.execute($$SELECT id, label FROM my_table, LATERAL TABLE(ML_PREDICT('MyModel', text)) ORDER BY id$$);
SELECT * FROM mlpredict.execute($$SELECT id, label FROM my_table, LATERAL TABLE(ML_PREDICT(MyModel$1, text, MAP['debug', false])) ORDER BY id$$);
SELECT mlpredict.translate($$SELECT AI_COMPLETE('MyModel', text) FROM my_table$$);
SELECT * FROM mlpredict.execute($$DESCRIBE MODEL MyModel$$);
-- CREATE MODEL MyModel adds a version to it rather than a second model
SELECT * FROM mlpredict.execute($$CREATE MODEL MyModel INPUT (text STRING) OUTPUT (label STRING) WITH ('provider' = 'openai', 'task' = 'classification', 'openai.connection' = 'openai-connection')$$);
SELECT * FROM mlpredict.execute($$DROP MODEL MyModel$all$$);
SELECT * FROM mlpredict.execute($$CREATE MODEL EMBED_MODEL INPUT (`text` STRING) OUTPUT (`output` ARRAY<FLOAT>) WITH ('azureopenai.connection' = 'azureopenai-cli-connection', 'provider' = 'azureopenai', 'task' = 'embedding')$$);
SELECT * FROM mlpredict.execute($$SELECT id, CARDINALITY(`output`) AS dims FROM my_table, LATERAL TABLE(ML_PREDICT(`EMBED_MODEL`, text)) ORDER BY id$$);
SELECT * FROM mlpredict.execute($$SELECT id, CARDINALITY(`output`) AS dims FROM my_table, LATERAL TABLE(ML_PREDICT('EMBED_MODEL', ('text: ' || text))) ORDER BY id$$);
SELECT * FROM mlpredict.execute($$SHOW CREATE MODEL `EMBED_MODEL`$$);
SELECT * FROM mlpredict.execute($$DROP MODEL `EMBED_MODEL`$$);
-- an error raised while the translation runs shows the translated text
SELECT * FROM mlpredict.execute($$SELECT nosuch FROM my_table, LATERAL TABLE(ML_PREDICT('sentiment_model', text))$$);
SELECT * FROM mlpredict.execute($$SELECT 1;
SELECT 1/0 AS x$$);

DROP SCHEMA db1 CASCADE;
DROP TABLE text_input, google_input, text_stream, my_table, labels, claims_submitted, input_table, src, "Orders", summary;
DROP EXTENSION mlpredict CASCADE;
