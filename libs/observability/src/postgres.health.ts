import { Injectable } from '@nestjs/common';
import { TypeOrmHealthIndicator } from '@nestjs/terminus';

/** Readiness: PostgreSQL answers `SELECT 1` within a second. */
@Injectable()
export class PostgresHealthIndicator {
  constructor(private readonly typeorm: TypeOrmHealthIndicator) {}

  check() {
    return this.typeorm.pingCheck('postgres', { timeout: 1000 });
  }
}
