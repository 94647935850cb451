-- Continuous queries, the SQL surface: CREATE CONTINUOUS QUERY in every
-- spelling (Flink's text verbatim), the catalog rows it writes, the
-- capture trigger's queue, SHOW/DESCRIBE/SHOW CREATE/EXPLAIN, and
-- pause/resume/alter/drop.  Queries are paused in the transaction that
-- creates them, so the background workers leave their queues alone here
-- (continuous_run.sql lets them work).
CREATE EXTENSION mlpredict;

SELECT mlpredict.create_connection('cq-openai', '{"type": "openai", "endpoint": "http://127.0.0.1:18787/v1/chat/completions", "api-key": "sk-test-openai-key"}');
SELECT * FROM mlpredict.execute($$CREATE MODEL sentimentmodel INPUT(text STRING) OUTPUT(sentiment STRING) WITH ('provider' = 'openai', 'task' = 'classification', 'openai.connection' = 'cq-openai', 'openai.system_prompt' = 'Analyze the sentiment of the text and return only POSITIVE, NEGATIVE, or NEUTRAL.')$$);

CREATE TABLE text_stream (id int PRIMARY KEY, text text, note text, lang text);
INSERT INTO text_stream VALUES (1, 'I love this', 'a', 'en'), (2, 'I hate this', 'b', 'en'), (3, 'It is a table', 'c', 'fr');
CREATE TABLE text_sentiment (id int PRIMARY KEY, sentiment text);

-- what the queue holds, per query, in key order
CREATE FUNCTION pg_temp.queue() RETURNS TABLE (query text, key text[], attempts int, parked boolean)
LANGUAGE sql AS $$ SELECT query, key, attempts, parked FROM mlpredict.continuous_query_queue ORDER BY query, key $$;

-- Flink's text, verbatim, through execute(); backfill queues the three rows
BEGIN;
SELECT * FROM mlpredict.execute($$CREATE CONTINUOUS QUERY sentiment_job AS INSERT INTO text_sentiment SELECT id, sentiment FROM text_stream, LATERAL TABLE(ML_PREDICT('sentimentmodel', text))$$);
SELECT * FROM mlpredict.execute('ALTER CONTINUOUS QUERY sentiment_job PAUSE');
COMMIT;
SELECT * FROM pg_temp.queue();
SELECT name, owner, state, source, sink, model, version, rows_pending, rows_parked, rows_done, rows_failed, last_error
FROM mlpredict.continuous_queries;
SELECT name, source, source_key, sink, sink_key, model_schema, model_name, model_version, inputs, targets, where_clause, options
FROM mlpredict.continuous_query;
SELECT tgname, pg_get_triggerdef(oid) FROM pg_trigger WHERE tgrelid = 'text_stream'::regclass;

-- the statement a batch runs, shown by EXPLAIN (pipelined model call)
SELECT count(*) > 0 AS pipelined FROM mlpredict.execute('EXPLAIN CONTINUOUS QUERY sentiment_job') j
WHERE j->>'QUERY PLAN' LIKE '%MLPredict%';
SELECT count(*) > 0 AS upsert FROM mlpredict.explain_continuous_query('sentiment_job') l WHERE l LIKE '%Conflict Resolution: UPDATE%';
SELECT * FROM mlpredict.execute('SHOW CREATE CONTINUOUS QUERY sentiment_job');
SELECT * FROM mlpredict.execute('DESCRIBE CONTINUOUS QUERY sentiment_job');
SELECT * FROM mlpredict.execute($$SHOW CONTINUOUS QUERIES LIKE 'sent%'$$);
SELECT * FROM mlpredict.execute($$SHOW CONTINUOUS QUERIES NOT LIKE 'sent%'$$);

-- capture: an insert and an update of the input are queued; an update of
-- another column does not fire, one writing the same input is skipped
DELETE FROM mlpredict.continuous_query_queue;
INSERT INTO text_stream VALUES (4, 'So so', 'd', 'en');
UPDATE text_stream SET text = 'I really love this' WHERE id = 1;
UPDATE text_stream SET note = 'changed' WHERE id = 2;
UPDATE text_stream SET text = text WHERE id = 3;
SELECT * FROM pg_temp.queue();
-- a key change queues the old and the new key; a delete its key
UPDATE text_stream SET id = 30 WHERE id = 3;
DELETE FROM text_stream WHERE id = 2;
SELECT * FROM pg_temp.queue();
-- a rolled back change queues nothing
BEGIN;
INSERT INTO text_stream VALUES (5, 'never', 'e', 'en');
ROLLBACK;
SELECT count(*) AS rolled_back FROM mlpredict.continuous_query_queue WHERE key = '{5}';
-- a queued row changed again keeps its place; a parked one starts afresh
UPDATE mlpredict.continuous_query_queue SET enqueued_at = '2000-01-01', attempts = 3 WHERE key = '{4}';
UPDATE mlpredict.continuous_query_queue SET enqueued_at = '2000-01-01', attempts = 5, parked = true WHERE key = '{1}';
UPDATE text_stream SET text = text || '!' WHERE id IN (1, 4);
SELECT key, enqueued_at = '2000-01-01' AS kept_place, attempts, parked FROM mlpredict.continuous_query_queue WHERE key IN ('{1}', '{4}') ORDER BY key;

-- the function form, the typed function, a WHERE on the source, a
-- provenance column, backquoted identifiers, no backfill
CREATE TABLE text_sentiment_en (text_id int, label text, model_version int, UNIQUE (text_id));
BEGIN;
SELECT mlpredict.create_continuous_query('english_job',
  $$INSERT INTO `text_sentiment_en` (text_id, label) SELECT s.`id`, p.sentiment FROM text_stream AS s, LATERAL sentimentmodel(s.text) AS p WHERE s.lang = 'en' AND length(s.text) > 2$$,
  '{"backfill": false, "provenance_column": "model_version", "batch_size": 50}');
SELECT mlpredict.pause_continuous_query('english_job');
COMMIT;
SELECT count(*) AS no_backfill FROM mlpredict.continuous_query_queue WHERE query = 'english_job';
SELECT targets, where_clause, options FROM mlpredict.continuous_query WHERE name = 'english_job';
-- the WHERE's columns are in the trigger's column list
SELECT pg_get_triggerdef(oid) FROM pg_trigger WHERE tgname = 'mlpredict_cq_english_job';
UPDATE text_stream SET lang = 'de' WHERE id = 4;
SELECT * FROM pg_temp.queue() WHERE query = 'english_job';

-- ml_predict with a pinned version, CROSS JOIN LATERAL, the sink is the
-- source (a derived column: the trigger leaves it out, so the batch's
-- UPDATE does not queue the row again)
ALTER TABLE text_stream ADD COLUMN mood text;
BEGIN;
SELECT * FROM mlpredict.execute($$CREATE CONTINUOUS QUERY IF NOT EXISTS mood_job WITH ('delete' = 'false') AS
  INSERT INTO text_stream (id, mood) SELECT t.id, m.sentiment FROM text_stream t CROSS JOIN LATERAL mlpredict.ml_predict('sentimentmodel$1', t.text) AS m;$$);
SELECT * FROM mlpredict.execute('ALTER CONTINUOUS QUERY mood_job PAUSE');
COMMIT;
SELECT * FROM mlpredict.execute($$CREATE CONTINUOUS QUERY IF NOT EXISTS mood_job AS INSERT INTO text_stream (id, mood) SELECT id, sentiment FROM text_stream, LATERAL sentimentmodel(text)$$);
SELECT model_version, targets, options FROM mlpredict.continuous_query WHERE name = 'mood_job';
SELECT pg_get_triggerdef(oid) FROM pg_trigger WHERE tgname = 'mlpredict_cq_mood_job';
SELECT count(*) > 0 AS updates_source FROM mlpredict.explain_continuous_query('mood_job') l WHERE l LIKE 'Update on text_stream%';
DELETE FROM mlpredict.continuous_query_queue WHERE query = 'mood_job';
UPDATE text_stream SET mood = 'POSITIVE' WHERE id = 1;
SELECT count(*) AS derived_write_not_queued FROM mlpredict.continuous_query_queue WHERE query = 'mood_job';

-- Confluent's trailing MAP[...] of runtime options (or mlpredict.map(),
-- mlpredict.options()): checked at creation, passed to every batch's call
CREATE TABLE text_mood (id int PRIMARY KEY, mood text);
BEGIN;
SELECT * FROM mlpredict.execute($$CREATE CONTINUOUS QUERY map_job WITH ('backfill' = 'false') AS INSERT INTO text_mood SELECT id, sentiment FROM text_stream, LATERAL TABLE(ML_PREDICT('sentimentmodel', text, MAP['max_parallelism', 4, 'client_timeout', 30]))$$);
SELECT * FROM mlpredict.execute('ALTER CONTINUOUS QUERY map_job PAUSE');
COMMIT;
SELECT options->>'runtime_options' AS runtime_options FROM mlpredict.continuous_query WHERE name = 'map_job';
SELECT * FROM mlpredict.execute('DESCRIBE CONTINUOUS QUERY map_job') j WHERE j->>'Property' = 'Runtime Options';
SELECT * FROM mlpredict.execute('SHOW CREATE CONTINUOUS QUERY map_job');
SELECT count(*) > 0 AS pipelined FROM mlpredict.explain_continuous_query('map_job') l WHERE l LIKE '%MLPredict%';
SELECT * FROM mlpredict.execute('DROP CONTINUOUS QUERY map_job');
SELECT mlpredict.create_continuous_query('map_job', 'INSERT INTO text_mood SELECT id, sentiment FROM text_stream, LATERAL sentimentmodel(text, mlpredict.options(retry_count => 2))', '{"backfill": false}');
SELECT options->>'runtime_options' AS runtime_options FROM mlpredict.continuous_query WHERE name = 'map_job';
SELECT mlpredict.drop_continuous_query('map_job');
SELECT mlpredict.create_continuous_query('map_job', 'INSERT INTO text_mood SELECT id, sentiment FROM text_stream, LATERAL sentimentmodel(text, map(''max_parallelism'', id))');
SELECT mlpredict.create_continuous_query('map_job', 'INSERT INTO text_mood SELECT id, sentiment FROM text_stream, LATERAL sentimentmodel(text, map(''colour'', 4))');
DROP TABLE text_mood;

-- a source without a primary key: the unique key named with 'key'
CREATE TABLE events (tenant int NOT NULL, seq int NOT NULL, body text, UNIQUE (tenant, seq));
CREATE TABLE event_mood (tenant int, seq int, mood text, PRIMARY KEY (seq, tenant));
INSERT INTO events VALUES (1, 1, 'fine'), (1, 2, 'bad'), (2, 1, 'ok');
BEGIN;
SELECT * FROM mlpredict.execute($$CREATE CONTINUOUS QUERY events_job WITH ('key' = 'tenant, seq') AS INSERT INTO event_mood SELECT tenant, seq, sentiment FROM events, LATERAL sentimentmodel(body)$$);
SELECT mlpredict.pause_continuous_query('events_job');
COMMIT;
SELECT source_key, sink_key FROM mlpredict.continuous_query WHERE name = 'events_job';
SELECT * FROM pg_temp.queue() WHERE query = 'events_job';

-- a partitioned source: the partitions' clones of the trigger queue the
-- parent's keys (a partition's columns in another order)
CREATE TABLE readings (site text NOT NULL, id int NOT NULL, note text, PRIMARY KEY (site, id)) PARTITION BY LIST (site);
CREATE TABLE readings_a PARTITION OF readings FOR VALUES IN ('a');
CREATE TABLE readings_b (note text, id int NOT NULL, site text NOT NULL);
ALTER TABLE readings ATTACH PARTITION readings_b FOR VALUES IN ('b');
CREATE TABLE reading_mood (site text, id int, mood text, PRIMARY KEY (site, id));
BEGIN;
SELECT * FROM mlpredict.execute($$CREATE CONTINUOUS QUERY readings_job WITH ('backfill' = 'false') AS INSERT INTO reading_mood SELECT site, id, sentiment FROM readings, LATERAL sentimentmodel(note)$$);
SELECT * FROM mlpredict.execute('ALTER CONTINUOUS QUERY readings_job PAUSE');
COMMIT;
INSERT INTO readings VALUES ('a', 1, 'fine'), ('b', 2, 'bad');
UPDATE readings SET note = 'worse' WHERE site = 'b';
UPDATE readings SET site = 'a' WHERE site = 'b';
SELECT * FROM pg_temp.queue() WHERE query = 'readings_job';
SELECT * FROM mlpredict.execute('DROP CONTINUOUS QUERY readings_job');
DROP TABLE readings, reading_mood;

-- TRUNCATE of the source queues every key of the sink, so that the
-- batches remove their rows
CREATE TABLE tsrc (id int PRIMARY KEY, body text);
CREATE TABLE tsnk (id int PRIMARY KEY, mood text);
INSERT INTO tsrc VALUES (1, 'a'), (2, 'b');
BEGIN;
SELECT mlpredict.create_continuous_query('truncate_job', 'INSERT INTO tsnk SELECT id, sentiment FROM tsrc, LATERAL sentimentmodel(body)');
SELECT mlpredict.pause_continuous_query('truncate_job');
COMMIT;
SELECT tgname, pg_get_triggerdef(oid) FROM pg_trigger WHERE tgrelid = 'tsrc'::regclass ORDER BY tgname;
INSERT INTO tsnk VALUES (1, 'x'), (2, 'y'), (9, 'orphan');
DELETE FROM mlpredict.continuous_query_queue WHERE query = 'truncate_job';
TRUNCATE tsrc;
SELECT * FROM pg_temp.queue() WHERE query = 'truncate_job';
-- dropping either trigger drops the query
DROP TRIGGER mlpredict_cqt_truncate_job ON tsrc;
SELECT count(*) AS triggers_left FROM pg_trigger WHERE tgrelid = 'tsrc'::regclass;
DROP TABLE tsrc, tsnk;

-- reprocess: every source row again
SELECT mlpredict.reprocess('sentiment_job') AS requeued;
SELECT * FROM pg_temp.queue() WHERE query = 'sentiment_job';

-- operations
SELECT * FROM mlpredict.execute($$ALTER CONTINUOUS QUERY sentiment_job SET ('batch_size' = '10', 'max_attempts' = 2)$$);
SELECT options FROM mlpredict.continuous_query WHERE name = 'sentiment_job';
SELECT * FROM mlpredict.execute('SHOW CREATE CONTINUOUS QUERY sentiment_job');
SELECT mlpredict.alter_continuous_query('sentiment_job', '{"delete": false}');
SELECT options->'delete' AS delete FROM mlpredict.continuous_query WHERE name = 'sentiment_job';
SELECT * FROM mlpredict.execute($$ALTER CONTINUOUS QUERY sentiment_job SET ('backfill' = 'false')$$);
SELECT * FROM mlpredict.execute($$ALTER CONTINUOUS QUERY sentiment_job SET ('batch_size' = '0')$$);
SELECT * FROM mlpredict.execute($$ALTER CONTINUOUS QUERY sentiment_job SET ('colour' = 'red')$$);
-- (resumed and paused again in one transaction: the workers see it paused)
BEGIN;
SELECT * FROM mlpredict.execute('ALTER CONTINUOUS QUERY sentiment_job RESUME');
SELECT state FROM mlpredict.continuous_queries WHERE name = 'sentiment_job';
SELECT * FROM mlpredict.execute('ALTER CONTINUOUS QUERY sentiment_job PAUSE');
COMMIT;
SELECT state FROM mlpredict.continuous_queries WHERE name = 'sentiment_job';
-- a second model version: pin it, and queue everything again
SELECT * FROM mlpredict.execute($$CREATE MODEL sentimentmodel INPUT(text STRING) OUTPUT(sentiment STRING) WITH ('provider' = 'openai', 'task' = 'classification', 'openai.connection' = 'cq-openai', 'openai.system_prompt' = 'Say POSITIVE, NEGATIVE or NEUTRAL.')$$);
DELETE FROM mlpredict.continuous_query_queue WHERE query = 'english_job';
SELECT * FROM mlpredict.execute('ALTER CONTINUOUS QUERY english_job SET MODEL VERSION 2 REPROCESS ALL');
SELECT model_version FROM mlpredict.continuous_query WHERE name = 'english_job';
SELECT * FROM pg_temp.queue() WHERE query = 'english_job';
SELECT * FROM mlpredict.execute('ALTER CONTINUOUS QUERY english_job SET MODEL VERSION 7');
SELECT * FROM mlpredict.execute('ALTER CONTINUOUS QUERY english_job SET MODEL VERSION DEFAULT NEW ROWS ONLY');
SELECT mlpredict.alter_continuous_query('english_job', '{"model_version": 2, "reprocess": "new"}');
SELECT model_version FROM mlpredict.continuous_query WHERE name = 'english_job';
-- reprocess by provenance: sink rows written by a version older than 2
DELETE FROM mlpredict.continuous_query_queue WHERE query = 'english_job';
INSERT INTO text_sentiment_en VALUES (1, 'x', 1), (4, 'y', 2), (30, 'z', NULL);
SELECT mlpredict.reprocess('english_job', 2) AS requeued;
SELECT * FROM pg_temp.queue() WHERE query = 'english_job';
SELECT mlpredict.reprocess('sentiment_job', 2);

-- dead letter: parked rows, and retry_parked (one key, then all)
UPDATE mlpredict.continuous_query_queue SET parked = true, attempts = 5, last_sqlstate = '22000', last_error = 'model said no', last_attempt_at = now()
WHERE query = 'sentiment_job' AND key IN ('{1}', '{4}');
SELECT query, key, attempts, last_sqlstate, last_error FROM mlpredict.continuous_query_dead_letter ORDER BY key;
SELECT rows_pending, rows_parked FROM mlpredict.continuous_queries WHERE name = 'sentiment_job';
SELECT mlpredict.retry_parked('sentiment_job', '{4}');
SELECT mlpredict.retry_parked('sentiment_job');
SELECT mlpredict.retry_parked('sentiment_job');
SELECT count(*) AS parked FROM mlpredict.continuous_query_dead_letter;

-- drop: the trigger and the queue go, the sink keeps its rows
SELECT * FROM mlpredict.execute('DROP CONTINUOUS QUERY events_job');
SELECT count(*) AS trigger_left FROM pg_trigger WHERE tgname = 'mlpredict_cq_events_job';
SELECT count(*) AS queue_left FROM mlpredict.continuous_query_queue WHERE query = 'events_job';
SELECT * FROM mlpredict.execute('DROP CONTINUOUS QUERY events_job');
SELECT * FROM mlpredict.execute('DROP CONTINUOUS QUERY IF EXISTS events_job');
SELECT mlpredict.drop_continuous_query('events_job', true);
INSERT INTO events VALUES (3, 1, 'not followed');
-- DROP TABLE of the sink drops the query (and its trigger on the source);
-- DROP TABLE of the source drops the query
DROP TABLE text_sentiment_en;
SELECT count(*) AS trigger_left FROM pg_trigger WHERE tgname = 'mlpredict_cq_english_job';
DROP TABLE events, event_mood;
SELECT name FROM mlpredict.continuous_queries ORDER BY name;
-- an ALTER TABLE that breaks a query is refused: renaming a column it
-- reads or writes; one that does not is fine
ALTER TABLE text_stream RENAME COLUMN text TO body;
ALTER TABLE text_sentiment RENAME COLUMN sentiment TO label;
ALTER TABLE text_stream RENAME COLUMN note TO remark;
ALTER TABLE text_sentiment ADD COLUMN seen timestamptz;
ALTER TABLE text_sentiment ALTER COLUMN sentiment TYPE varchar(20);

-- the capture trigger dropped by any command drops its query: DROP
-- COLUMN ... CASCADE of a followed column
CREATE TABLE notes (id int PRIMARY KEY, body text, extra text);
CREATE TABLE note_mood (id int PRIMARY KEY, mood text);
SELECT mlpredict.create_continuous_query('notes_job', 'INSERT INTO note_mood SELECT id, sentiment FROM notes, LATERAL sentimentmodel(body)', '{"backfill": false}');
ALTER TABLE notes DROP COLUMN extra;
SELECT count(*) AS still_there FROM mlpredict.continuous_query WHERE name = 'notes_job';
ALTER TABLE notes DROP COLUMN body;
ALTER TABLE notes DROP COLUMN body CASCADE;
SELECT count(*) AS still_there FROM mlpredict.continuous_query WHERE name = 'notes_job';
DROP TABLE notes, note_mood;

-- queries that would feed each other are refused: loop_one writes
-- questions.question, which loop_two follows (its input); loop_two writing
-- posts.body, which loop_one follows, would queue every row again after
-- each answer, for ever.  Writing a column loop_one does not follow is
-- fine.
CREATE TABLE posts (id int PRIMARY KEY, body text, reply text);
CREATE TABLE questions (id int PRIMARY KEY, question text, answer text);
CREATE TABLE answers (id int PRIMARY KEY, answer text);
SELECT mlpredict.create_continuous_query('loop_one', 'INSERT INTO questions (id, question) SELECT id, sentiment FROM posts, LATERAL sentimentmodel(body)', '{"backfill": false}');
SELECT mlpredict.create_continuous_query('loop_two', 'INSERT INTO posts (id, body) SELECT id, sentiment FROM questions, LATERAL sentimentmodel(question)', '{"backfill": false}');
SELECT * FROM mlpredict.execute($$CREATE CONTINUOUS QUERY loop_two WITH ('backfill' = 'false') AS INSERT INTO posts (id, reply) SELECT id, sentiment FROM questions, LATERAL sentimentmodel(question) WHERE answer IS NULL$$);
-- a WHERE column is followed too: loop_three would write questions.answer,
-- which loop_two's WHERE reads, and follow posts.reply, which loop_two writes
SELECT mlpredict.create_continuous_query('loop_three', 'INSERT INTO questions (id, answer) SELECT id, sentiment FROM posts, LATERAL sentimentmodel(reply)', '{"backfill": false}');
-- three in a row: posts -> questions -> answers -> posts
SELECT mlpredict.drop_continuous_query('loop_two');
SELECT mlpredict.create_continuous_query('loop_two', 'INSERT INTO answers (id, answer) SELECT id, sentiment FROM questions, LATERAL sentimentmodel(question)', '{"backfill": false}');
SELECT mlpredict.create_continuous_query('loop_three', 'INSERT INTO posts (id, body) SELECT id, sentiment FROM answers, LATERAL sentimentmodel(answer)', '{"backfill": false}');
SELECT mlpredict.create_continuous_query('loop_three', 'INSERT INTO posts (id, reply) SELECT id, sentiment FROM answers, LATERAL sentimentmodel(answer)', '{"backfill": false}');
SELECT name, source, sink FROM mlpredict.continuous_query WHERE name LIKE 'loop%' ORDER BY name;
-- through a partition of a followed table: the rows written into it fire
-- the parent's trigger
CREATE TABLE feed (site text NOT NULL, id int NOT NULL, body text, PRIMARY KEY (site, id)) PARTITION BY LIST (site);
CREATE TABLE feed_a PARTITION OF feed FOR VALUES IN ('a');
CREATE TABLE feed_mood (site text NOT NULL, id int NOT NULL, mood text, PRIMARY KEY (site, id));
SELECT mlpredict.create_continuous_query('feed_one', 'INSERT INTO feed_mood SELECT site, id, sentiment FROM feed, LATERAL sentimentmodel(body)', '{"backfill": false}');
SELECT mlpredict.create_continuous_query('feed_two', 'INSERT INTO feed_a (site, id, body) SELECT site, id, sentiment FROM feed_mood, LATERAL sentimentmodel(mood)', '{"backfill": false}');
SELECT mlpredict.drop_continuous_query(name) FROM mlpredict.continuous_query WHERE name LIKE 'loop%' OR name LIKE 'feed%';
DROP TABLE posts, questions, answers, feed, feed_mood;

-- clean up: what later suites must not find
SELECT * FROM mlpredict.execute('DROP CONTINUOUS QUERY mood_job');
SELECT mlpredict.drop_continuous_query('sentiment_job');
DROP TABLE text_stream, text_sentiment;
SELECT mlpredict.drop_model('sentimentmodel$all');
SELECT mlpredict.drop_connection('cq-openai');
SELECT count(*) AS queries_left FROM mlpredict.continuous_query;
DROP EXTENSION mlpredict CASCADE;
