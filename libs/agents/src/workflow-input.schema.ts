import { SITE_ID } from '@app/sites';

/** Longest request the planner reads; longer text is more likely pasted by mistake than meant. */
export const MAX_REQUEST_LENGTH = 2000;

/*
 * The JSON Schemas of the website builder's inputs, which the gateway checks before it records a
 * workflow. They say what `readSiteRequest` and `readSiteReference` read, so a caller learns at
 * once (422) what would otherwise fail the first step. The agents keep their own checks: a
 * registered definition may run them with an input no schema has checked.
 *
 * Unknown fields are refused: a misspelt optional field (`verison`) would otherwise be ignored
 * without a word, and a DEPLOY_ONLY would roll back to another version than the one meant.
 */

/** The input of CREATE_SITE and UPDATE_SITE: what to build, or what to change, in words. */
export const SITE_REQUEST_INPUT_SCHEMA = {
  type: 'object',
  properties: {
    request: {
      type: 'string',
      description: 'The site to create, or the change to make, in a few sentences.',
      minLength: 1,
      // Counted before trimming, where the planner counts after: the door is the stricter one.
      maxLength: MAX_REQUEST_LENGTH,
      // Not only spaces: the planner has nothing to plan from.
      pattern: '\\S',
    },
  },
  required: ['request'],
  additionalProperties: false,
} as const;

/** The input of AUDIT_ONLY and DEPLOY_ONLY: a published site, and which of its versions. */
export const SITE_REFERENCE_INPUT_SCHEMA = {
  type: 'object',
  properties: {
    siteId: {
      type: 'string',
      description: 'A published site, as CREATE_SITE named it.',
      pattern: SITE_ID.source,
    },
    version: {
      type: ['integer', 'null'],
      description:
        'AUDIT_ONLY: the version to audit (the live one if absent). DEPLOY_ONLY: the version to serve (the one before the live one if absent).',
      minimum: 1,
    },
  },
  required: ['siteId'],
  additionalProperties: false,
} as const;

/**
 * Another name of `request`: the website builder's first examples sent the request as
 * `user_input`, and clients written from them still do.
 */
export const SITE_REQUEST_INPUT_ALIASES = { user_input: 'request' } as const;
