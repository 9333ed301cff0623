// Container health check with no curl in the image: exits 0 when GET /health on $PORT answers 2xx.
'use strict';

const port = process.env.PORT || '3000';
const timeoutMs = Number(process.env.HEALTHCHECK_TIMEOUT_MS || 4000);

fetch(`http://127.0.0.1:${port}/health`, { signal: AbortSignal.timeout(timeoutMs) }).then(
  (response) => process.exit(response.ok ? 0 : 1),
  () => process.exit(1),
);
