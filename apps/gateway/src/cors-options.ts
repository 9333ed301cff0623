/**
 * The CORS policy of REST and Socket.IO from `CORS_ORIGINS`: `*` for any origin, a list of
 * origins, or (unset) no cross-origin access. Keys travel in a header, never in cookies, so no
 * credentials are allowed cross-origin.
 */
export function corsOptions(corsOrigins: string | undefined): {
  origin: boolean | string[];
  credentials: false;
} {
  if (!corsOrigins) return { origin: false, credentials: false };
  if (corsOrigins.trim() === '*') return { origin: true, credentials: false };
  return { origin: corsOrigins.split(',').map((origin) => origin.trim()), credentials: false };
}
