import { Module } from '@nestjs/common';
import { UsageController } from './usage.controller';
import { UsageService } from './usage.service';

/** `GET /usage`: language-model usage summaries, read from PostgreSQL through libs/persistence. */
@Module({ controllers: [UsageController], providers: [UsageService] })
export class UsageModule {}
