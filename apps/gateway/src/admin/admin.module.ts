import { Module } from '@nestjs/common';
import { BullModule } from '@nestjs/bullmq';
import { METRICS_MAINTENANCE_QUEUE } from '@app/contracts';
import { MaintenanceController } from './maintenance.controller';
import { MaintenanceService } from './maintenance.service';

/** Admin routes that act on the other services through their queues. */
@Module({
  imports: [BullModule.registerQueue({ name: METRICS_MAINTENANCE_QUEUE })],
  controllers: [MaintenanceController],
  providers: [MaintenanceService],
})
export class AdminModule {}
