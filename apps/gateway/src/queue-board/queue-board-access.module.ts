import { Module } from '@nestjs/common';
import { QueueAdminModule } from '../queues/queues.module';
import { QueueBoardSessions } from './queue-board-sessions.repository';
import { QueueBoardGate } from './queue-board.gate';

/** Who may open Bull Board, and which queues it shows; apart, so the board's options can inject it. */
@Module({
  imports: [QueueAdminModule],
  providers: [QueueBoardSessions, QueueBoardGate],
  exports: [QueueBoardSessions, QueueBoardGate],
})
export class QueueBoardAccessModule {}
