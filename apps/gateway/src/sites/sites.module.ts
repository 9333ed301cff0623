import { Module } from '@nestjs/common';
import { SiteRepository } from '@app/sites';
import { GatewayConfig } from '@app/config';
import { resolve } from 'node:path';
import { SitesController } from './sites.controller';
import { SitesService } from './sites.service';

/** Serves the published sites from `SITES_DIR`, the directory the orchestrator's deploy agent writes. */
@Module({
  controllers: [SitesController],
  providers: [
    SitesService,
    {
      provide: SiteRepository,
      inject: [GatewayConfig],
      // Absolute, because files are sent by absolute path whatever the working directory.
      useFactory: (config: GatewayConfig) => new SiteRepository({ sitesDir: resolve(config.SITES_DIR) }),
    },
  ],
})
export class SitesModule {}
