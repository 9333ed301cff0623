import { version } from '../../../../package.json';

/** The version both API documents carry: the project's. */
export const API_VERSION: string = version;
