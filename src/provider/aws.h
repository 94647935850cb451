/*-------------------------------------------------------------------------
 *
 * aws.h
 *	  Region and SigV4 request signing shared by the bedrock and sagemaker
 *	  providers.
 *
 * IDENTIFICATION
 *	  src/provider/aws.h
 *
 *-------------------------------------------------------------------------
 */
#ifndef MLPREDICT_AWS_H
#define MLPREDICT_AWS_H

#include "http/http.h"

struct MlTarget;

extern char *MlAwsRegionFromHost(const char *endpoint);
extern const char *MlAwsRegion(const char *endpoint, List *options);
extern void MlAwsCheckConnection(const char *endpoint, List *options, List *secrets);
extern void MlAwsSign(struct MlTarget *target, HttpRequest *request,
					  const char *service);

#endif							/* MLPREDICT_AWS_H */
