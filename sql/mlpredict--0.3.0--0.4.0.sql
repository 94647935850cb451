/* mlpredict 0.3.0 -> 0.4.0 (ALTER EXTENSION mlpredict UPDATE) */

\echo Use "ALTER EXTENSION mlpredict UPDATE TO '0.4.0'" to load this file. \quit

