/*-------------------------------------------------------------------------
 *
 * cluster_key.h
 *	  The cluster's key for sealing connection secrets (cluster_key.c).
 *
 * IDENTIFICATION
 *	  src/secret/cluster_key.h
 *
 *-------------------------------------------------------------------------
 */
#ifndef MLPREDICT_CLUSTER_KEY_H
#define MLPREDICT_CLUSTER_KEY_H

#include "secret/secret_box.h"

/*
 * The key in the file named by mlpredict.secret_key_file, created on first
 * use (SECRET_BOX_KEY_LEN bytes).  The pointer is to this backend's cache:
 * valid until the next call, never to be freed or copied to long-lived
 * memory.
 */
extern const unsigned char *ClusterKeyGet(void);

#endif							/* MLPREDICT_CLUSTER_KEY_H */
