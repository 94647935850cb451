-- Continuous queries and privileges: the creator (the owner) needs what
-- the one-shot INSERT ... SELECT needs, plus TRIGGER on the source; every
-- right is shown refused, then granted.  Only the owner (or a superuser)
-- alters, pauses, drops, retries or explains; everyone sees the status
-- view, owners only their dead letters; the catalog tables are closed.
CREATE EXTENSION mlpredict;

CREATE ROLE regress_cq_owner;
CREATE ROLE regress_cq_other;
SELECT mlpredict.create_connection('cqp-openai', '{"type": "openai", "endpoint": "http://127.0.0.1:18787/v1/chat/completions", "api-key": "sk-test-openai-key"}');
SELECT mlpredict.create_model('cqp_model', 'text STRING', 'label STRING', '{"provider": "openai", "task": "classification", "openai.connection": "cqp-openai"}');
SELECT * FROM mlpredict.execute('GRANT USAGE ON CONNECTION cqp-openai TO regress_cq_owner');
CREATE TABLE cqp_src (id int PRIMARY KEY, text text);
CREATE TABLE cqp_sink (id int PRIMARY KEY, label text);
INSERT INTO cqp_src VALUES (1, 'good'), (2, 'bad');

CREATE FUNCTION pg_temp.create_it() RETURNS text LANGUAGE plpgsql AS $$
BEGIN
  PERFORM mlpredict.create_continuous_query('cqp_job',
    'INSERT INTO cqp_sink SELECT id, label FROM cqp_src, LATERAL cqp_model(text)');
  PERFORM mlpredict.pause_continuous_query('cqp_job');
  RETURN 'created';
EXCEPTION WHEN OTHERS THEN
  DECLARE state text; msg text;
  BEGIN
    GET STACKED DIAGNOSTICS state = RETURNED_SQLSTATE, msg = MESSAGE_TEXT;
    RETURN state || ': ' || msg;
  END;
END $$;
GRANT EXECUTE ON FUNCTION pg_temp.create_it() TO PUBLIC;
CREATE FUNCTION pg_temp.try(sql text) RETURNS text LANGUAGE plpgsql AS $$
BEGIN
  EXECUTE sql;
  RETURN 'ok';
EXCEPTION WHEN OTHERS THEN
  DECLARE state text; msg text;
  BEGIN
    GET STACKED DIAGNOSTICS state = RETURNED_SQLSTATE, msg = MESSAGE_TEXT;
    RETURN state || ': ' || msg;
  END;
END $$;
GRANT EXECUTE ON FUNCTION pg_temp.try(text) TO PUBLIC;

-- each missing right, one after the other
SET ROLE regress_cq_owner;
SELECT pg_temp.create_it();
RESET ROLE;
GRANT SELECT ON cqp_src TO regress_cq_owner;
SET ROLE regress_cq_owner;
SELECT pg_temp.create_it();
RESET ROLE;
GRANT SELECT ON cqp_sink TO regress_cq_owner;
SET ROLE regress_cq_owner;
SELECT pg_temp.create_it();
RESET ROLE;
GRANT INSERT ON cqp_sink TO regress_cq_owner;
SET ROLE regress_cq_owner;
SELECT pg_temp.create_it();
RESET ROLE;
GRANT UPDATE ON cqp_sink TO regress_cq_owner;
SET ROLE regress_cq_owner;
SELECT pg_temp.create_it();
RESET ROLE;
GRANT DELETE ON cqp_sink TO regress_cq_owner;
SET ROLE regress_cq_owner;
SELECT pg_temp.create_it();
RESET ROLE;
SELECT * FROM mlpredict.execute('GRANT EXECUTE ON MODEL cqp_model TO regress_cq_owner');
SET ROLE regress_cq_owner;
SELECT pg_temp.create_it();
RESET ROLE;
GRANT TRIGGER ON cqp_src TO regress_cq_owner;
SET ROLE regress_cq_owner;
SELECT pg_temp.create_it();
SELECT name, owner, state, rows_pending FROM mlpredict.continuous_queries WHERE name = 'cqp_job';
RESET ROLE;

-- the backfill reads the source as the owner (a superuser resuming or
-- reprocessing too): the WHERE's functions never run with more rights
CREATE FUNCTION cqp_who(id int) RETURNS boolean IMMUTABLE LANGUAGE plpgsql AS $$
BEGIN
  RAISE NOTICE 'WHERE evaluated by %', current_user;
  RETURN id = 1;
END $$;
SET ROLE regress_cq_owner;
BEGIN;
SELECT mlpredict.create_continuous_query('cqp_where', 'INSERT INTO cqp_sink SELECT id, label FROM cqp_src, LATERAL cqp_model(text) WHERE cqp_who(id)');
SELECT mlpredict.pause_continuous_query('cqp_where');
COMMIT;
RESET ROLE;
SELECT mlpredict.reprocess('cqp_where');
SELECT key FROM mlpredict.continuous_query_queue WHERE query = 'cqp_where';
SELECT mlpredict.drop_continuous_query('cqp_where');
DROP FUNCTION cqp_who(int);

-- the owner's queue: a parked row
UPDATE mlpredict.continuous_query_queue SET parked = true, attempts = 5, last_sqlstate = '2200X', last_error = 'nope' WHERE query = 'cqp_job' AND key = '{2}';
-- and its last error, whose message may quote the data (here a model's
-- answer that is not an integer)
INSERT INTO mlpredict.continuous_query_progress AS p (query, last_sqlstate, last_error, last_error_at)
VALUES ('cqp_job', '22P02', 'invalid input syntax for type integer: "the customer 123-45-6789"', now())
ON CONFLICT (query) DO UPDATE SET last_sqlstate = excluded.last_sqlstate, last_error = excluded.last_error, last_error_at = excluded.last_error_at;

-- another role: sees the status, not the dead letters; manages nothing
SET ROLE regress_cq_other;
SELECT name, owner, state, rows_pending, rows_parked FROM mlpredict.continuous_queries WHERE name = 'cqp_job';
SELECT count(*) AS dead_letters FROM mlpredict.continuous_query_dead_letter;
-- the SQLSTATE, not the message
SELECT last_sqlstate, last_error, last_error_at IS NOT NULL AS failed FROM mlpredict.continuous_queries WHERE name = 'cqp_job';
SELECT pg_temp.try('SELECT count(*) FROM mlpredict.continuous_query');
SELECT pg_temp.try('SELECT count(*) FROM mlpredict.continuous_query_queue');
SELECT pg_temp.try('DELETE FROM mlpredict.continuous_query_queue');
SELECT pg_temp.try($$SELECT mlpredict.resume_continuous_query('cqp_job')$$);
SELECT pg_temp.try($$SELECT * FROM mlpredict.execute('ALTER CONTINUOUS QUERY cqp_job SET (''batch_size'' = ''5'')')$$);
SELECT pg_temp.try($$SELECT * FROM mlpredict.execute('ALTER CONTINUOUS QUERY cqp_job SET MODEL VERSION 1')$$);
SELECT pg_temp.try($$SELECT * FROM mlpredict.execute('DROP CONTINUOUS QUERY cqp_job')$$);
SELECT pg_temp.try($$SELECT mlpredict.retry_parked('cqp_job')$$);
SELECT pg_temp.try($$SELECT mlpredict.reprocess('cqp_job')$$);
SELECT pg_temp.try($$SELECT mlpredict.explain_continuous_query('cqp_job')$$);
-- the trigger queues the other role's changes all the same (it writes the
-- queue as the extension owner)
RESET ROLE;
GRANT INSERT ON cqp_src TO regress_cq_other;
SET ROLE regress_cq_other;
INSERT INTO cqp_src VALUES (3, 'fine');
RESET ROLE;
SELECT key FROM mlpredict.continuous_query_queue WHERE query = 'cqp_job' ORDER BY key;

-- the owner: its dead letter, retry, explain
SET ROLE regress_cq_owner;
SELECT query, key, attempts, last_sqlstate, last_error FROM mlpredict.continuous_query_dead_letter;
SELECT last_sqlstate, last_error FROM mlpredict.continuous_queries WHERE name = 'cqp_job';
SELECT mlpredict.retry_parked('cqp_job');
SELECT count(*) > 0 AS explained FROM mlpredict.explain_continuous_query('cqp_job');
RESET ROLE;

-- a right lost after creation: the batch's checks refuse it (EXPLAIN and
-- SET MODEL VERSION check the owner's rights as a batch does)
REVOKE DELETE ON cqp_sink FROM regress_cq_owner;
SET ROLE regress_cq_owner;
SELECT pg_temp.try($$SELECT * FROM mlpredict.execute('ALTER CONTINUOUS QUERY cqp_job SET MODEL VERSION 1')$$);
RESET ROLE;
SELECT * FROM mlpredict.execute($$ALTER CONTINUOUS QUERY cqp_job SET ('delete' = 'false')$$);
SET ROLE regress_cq_owner;
SELECT pg_temp.try($$SELECT * FROM mlpredict.execute('ALTER CONTINUOUS QUERY cqp_job SET MODEL VERSION 1')$$);
RESET ROLE;
SELECT * FROM mlpredict.execute('REVOKE EXECUTE ON MODEL cqp_model FROM regress_cq_owner');
SET ROLE regress_cq_owner;
SELECT pg_temp.try($$SELECT * FROM mlpredict.execute('ALTER CONTINUOUS QUERY cqp_job SET MODEL VERSION 1')$$);

-- the owner drops its query, though the trigger is on a table it does not own
SELECT * FROM mlpredict.execute('DROP CONTINUOUS QUERY cqp_job');
RESET ROLE;
SELECT count(*) AS triggers_left FROM pg_trigger WHERE tgrelid = 'cqp_src'::regclass AND NOT tgisinternal;

-- a superuser manages anyone's query
SELECT * FROM mlpredict.execute('GRANT EXECUTE ON MODEL cqp_model TO regress_cq_owner');
GRANT DELETE ON cqp_sink TO regress_cq_owner;
SET ROLE regress_cq_owner;
SELECT pg_temp.create_it();
RESET ROLE;
SELECT * FROM mlpredict.execute('ALTER CONTINUOUS QUERY cqp_job RESUME');
SELECT * FROM mlpredict.execute('ALTER CONTINUOUS QUERY cqp_job PAUSE');
SELECT * FROM mlpredict.execute('DROP CONTINUOUS QUERY cqp_job');

-- roles that own continuous queries: DROP ROLE refuses, REASSIGN OWNED
-- gives them away, DROP OWNED drops them (and their triggers)
SET ROLE regress_cq_owner;
SELECT pg_temp.create_it();
RESET ROLE;
DROP ROLE regress_cq_owner;
CREATE ROLE regress_cq_heir;
REASSIGN OWNED BY regress_cq_owner TO regress_cq_heir;
SELECT name, owner FROM mlpredict.continuous_queries WHERE name = 'cqp_job';
REASSIGN OWNED BY regress_cq_heir TO regress_cq_owner;
DROP OWNED BY regress_cq_owner;
SELECT count(*) AS queries_left FROM mlpredict.continuous_query;
SELECT count(*) AS triggers_left FROM pg_trigger WHERE tgrelid = 'cqp_src'::regclass AND NOT tgisinternal;
DROP ROLE regress_cq_heir;

-- A batch runs the owner's code (WHERE functions, sink triggers) in the
-- session of whoever processes it - a pool worker serving every owner, or
-- a superuser calling process_continuous_query: as a security-restricted
-- operation (a temporary table left there would capture the superuser's
-- unqualified names, its triggers running as the superuser), and the
-- settings the owner's code changes end with the batch.  The WHERE is
-- stored with its functions schema-qualified, so that it means the same
-- under the batch's search_path as under its creator's.
CREATE SCHEMA cqp_own AUTHORIZATION regress_cq_owner;
SELECT * FROM mlpredict.execute('GRANT EXECUTE ON MODEL cqp_model TO regress_cq_owner');
SET ROLE regress_cq_owner;
CREATE TABLE cqp_own.src (id int PRIMARY KEY, text text);
CREATE TABLE cqp_own.sink (id int PRIMARY KEY, label text);
INSERT INTO cqp_own.src VALUES (1, 'good'), (2, 'bad');
CREATE FUNCTION cqp_own.wanted(id int) RETURNS boolean IMMUTABLE LANGUAGE sql AS 'SELECT $1 > 0';
CREATE FUNCTION cqp_own.sink_trigger() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  PERFORM set_config('work_mem', '77kB', false);
  PERFORM set_config('statement_timeout', '4321', false);
  IF NEW.id = 2 THEN
    CREATE TEMP TABLE cqp_capture (x int);
  END IF;
  RETURN NEW;
END $$;
CREATE TRIGGER cqp_sink_trigger BEFORE INSERT OR UPDATE ON cqp_own.sink
  FOR EACH ROW EXECUTE FUNCTION cqp_own.sink_trigger();
SET search_path = cqp_own, public;
BEGIN;
SELECT mlpredict.create_continuous_query('cqp_restricted', 'INSERT INTO sink SELECT id, label FROM src, LATERAL cqp_model(text) WHERE wanted(id) AND id = 1');
SELECT mlpredict.pause_continuous_query('cqp_restricted');
COMMIT;
RESET search_path;
SELECT where_clause FROM mlpredict.continuous_queries q, LATERAL (SELECT value AS where_clause FROM mlpredict.describe_continuous_query(q.name) WHERE property = 'Where') w WHERE q.name = 'cqp_restricted';
RESET ROLE;
SHOW work_mem;
BEGIN;
SELECT mlpredict.resume_continuous_query('cqp_restricted');
SELECT mlpredict.process_continuous_query('cqp_restricted');
COMMIT;
SELECT * FROM cqp_own.sink;
SHOW work_mem;
SHOW statement_timeout;
-- the trigger's temporary table is refused (the whole batch fails)
SET ROLE regress_cq_owner;
BEGIN;
SELECT mlpredict.create_continuous_query('cqp_temp', 'INSERT INTO cqp_own.sink SELECT id, label FROM cqp_own.src, LATERAL cqp_model(text) WHERE id = 2');
SELECT mlpredict.pause_continuous_query('cqp_temp');
COMMIT;
RESET ROLE;
BEGIN;
SELECT mlpredict.resume_continuous_query('cqp_temp');
SELECT pg_temp.try($$SELECT mlpredict.process_continuous_query('cqp_temp')$$);
COMMIT;
SELECT count(*) AS temp_tables FROM pg_class WHERE relname = 'cqp_capture';
SHOW work_mem;
SELECT mlpredict.drop_continuous_query('cqp_restricted'), mlpredict.drop_continuous_query('cqp_temp');
DROP SCHEMA cqp_own CASCADE;

DROP TABLE cqp_src, cqp_sink;
SELECT mlpredict.drop_model('cqp_model$all');
SELECT mlpredict.drop_connection('cqp-openai');
DROP OWNED BY regress_cq_owner, regress_cq_other;
DROP ROLE regress_cq_owner, regress_cq_other;
DROP EXTENSION mlpredict CASCADE;
