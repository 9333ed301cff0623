import { SetMetadata } from '@nestjs/common';

export const PUBLIC_METADATA = 'gateway:public';

/** Opens a route (or a whole controller) to callers without an API key. */
export const Public = () => SetMetadata(PUBLIC_METADATA, true);
