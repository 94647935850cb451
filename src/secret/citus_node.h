/*-------------------------------------------------------------------------
 *
 * citus_node.h
 *	  Citus workers and the cluster key (citus_node.c).
 *
 * IDENTIFICATION
 *	  src/secret/citus_node.h
 *
 *-------------------------------------------------------------------------
 */
#ifndef MLPREDICT_CITUS_NODE_H
#define MLPREDICT_CITUS_NODE_H

/* ERROR, naming this node and how to copy the key, on a Citus worker. */
extern void ClusterKeyRefuseCreate(const char *path);

/* Whether this server is a Citus worker (read at run time; false without Citus). */
extern bool CitusIsWorker(void);

#endif							/* MLPREDICT_CITUS_NODE_H */
