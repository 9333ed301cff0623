import { Module } from '@nestjs/common';
import { registerQueues } from '@app/redis';
import { METRICS_MAINTENANCE_QUEUE } from '@app/contracts';
import { CircuitBreakersController } from './circuit-breakers.controller';
import { CircuitBreakersService } from './circuit-breakers.service';
import { MaintenanceController } from './maintenance.controller';
import { MaintenanceService } from './maintenance.service';

/** Admin routes that act on the other services: through their queues, or the state they share in Redis (breakers). */
@Module({
  imports: [registerQueues(METRICS_MAINTENANCE_QUEUE)],
  controllers: [MaintenanceController, CircuitBreakersController],
  providers: [MaintenanceService, CircuitBreakersService],
})
export class AdminModule {}
