import { Module } from '@nestjs/common';
import { BullModule } from '@nestjs/bullmq';
import { METRICS_MAINTENANCE_QUEUE } from '@app/contracts';
import { CircuitBreakersController } from './circuit-breakers.controller';
import { CircuitBreakersService } from './circuit-breakers.service';
import { MaintenanceController } from './maintenance.controller';
import { MaintenanceService } from './maintenance.service';

/** Admin routes that act on the other services: through their queues, or the state they share in Redis (breakers). */
@Module({
  imports: [BullModule.registerQueue({ name: METRICS_MAINTENANCE_QUEUE })],
  controllers: [MaintenanceController, CircuitBreakersController],
  providers: [MaintenanceService, CircuitBreakersService],
})
export class AdminModule {}
