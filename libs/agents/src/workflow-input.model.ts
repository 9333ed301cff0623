import { ValidationError } from '@app/agent-sdk';
import { MAX_REQUEST_LENGTH } from './workflow-input.schema';

/** The `request` of a CREATE_SITE or UPDATE_SITE input, trimmed; throws what the user must fix. */
export function readSiteRequest(input: Readonly<Record<string, unknown>>): string {
  const request = input.request;
  if (typeof request !== 'string') {
    throw new ValidationError(
      'input.request must be a string describing the site, e.g. "Create a blog about sourdough baking"',
    );
  }
  const trimmed = request.trim();
  if (trimmed.length === 0) {
    throw new ValidationError(
      'input.request is empty: describe the site, e.g. "Create a portfolio for a wildlife photographer"',
    );
  }
  if (trimmed.length > MAX_REQUEST_LENGTH) {
    throw new ValidationError(
      `input.request is ${trimmed.length} characters long; the limit is ${MAX_REQUEST_LENGTH}. Describe the site in a few sentences.`,
    );
  }
  return trimmed;
}

/** The `siteId` and optional `version` of an AUDIT_ONLY or DEPLOY_ONLY input. */
export function readSiteReference(input: Readonly<Record<string, unknown>>): {
  siteId: string;
  version: number | null;
} {
  const { siteId, version } = input;
  if (typeof siteId !== 'string' || siteId.trim() === '') {
    throw new ValidationError('input.siteId must name a published site');
  }
  if (version !== undefined && version !== null && !(Number.isInteger(version) && (version as number) >= 1)) {
    throw new ValidationError(`input.version must be a whole number from 1, got ${JSON.stringify(version)}`);
  }
  return { siteId: siteId.trim(), version: typeof version === 'number' ? version : null };
}
