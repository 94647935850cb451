/*-------------------------------------------------------------------------
 *
 * guc.h
 *	  Registration of the mlpredict.* configuration parameters.
 *
 * The variables themselves are declared in settings.h.
 *
 * IDENTIFICATION
 *	  src/guc.h
 *
 *-------------------------------------------------------------------------
 */
#ifndef MLPREDICT_GUC_H
#define MLPREDICT_GUC_H

/* called once from _PG_init */
extern void MlDefineGucs(void);

#endif							/* MLPREDICT_GUC_H */
