import { Module } from '@nestjs/common';
import { ExpressAdapter } from '@bull-board/express';
import { BullBoardModule } from '@bull-board/nestjs';
import { QueueBoardAccessModule } from './queue-board-access.module';
import { QueueBoardSessionController } from './queue-board-session.controller';
import { QUEUE_BOARD_ROUTE, QueueBoardGate } from './queue-board.gate';

/** Bull Board at /admin/queues/board, for the admin who needs to see a failed job. */
@Module({
  imports: [
    QueueBoardAccessModule,
    BullBoardModule.forRootAsync({
      imports: [QueueBoardAccessModule],
      inject: [QueueBoardGate],
      useFactory: (gate: QueueBoardGate) => ({
        route: QUEUE_BOARD_ROUTE,
        adapter: ExpressAdapter,
        middleware: gate.middleware,
        boardOptions: { uiConfig: { boardTitle: 'Agent orchestrator' } },
      }),
    }),
  ],
  controllers: [QueueBoardSessionController],
})
export class QueueBoardModule {}
