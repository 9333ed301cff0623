import { Injectable, Logger } from '@nestjs/common';
import { ModuleRef } from '@nestjs/core';
import { BullMQAdapter } from '@bull-board/api/bullMQAdapter';
import { BULL_BOARD_INSTANCE, BullBoardInstance } from '@bull-board/nestjs';
import { NextFunction, Request, Response } from 'express';
import { ManagedQueues } from '../queues/managed-queues';
import { QueueBoardSessions } from './queue-board-sessions.repository';

/** The cookie of a board session, sent only to the board's own paths. */
export const QUEUE_BOARD_COOKIE = 'ao_queue_board';
export const QUEUE_BOARD_ROUTE = '/admin/queues/board';

/**
 * What stands in front of Bull Board: a browser cannot send the API's Bearer header, so the board
 * takes the session cookie an admin key opened (POST /admin/queues/board-session), and shows the
 * queues managed now (agents' step queues come and go with their workers).
 */
@Injectable()
export class QueueBoardGate {
  private readonly logger = new Logger(QueueBoardGate.name);

  constructor(
    private readonly sessions: QueueBoardSessions,
    private readonly queues: ManagedQueues,
    private readonly moduleRef: ModuleRef,
  ) {}

  /** Express middleware, as @bull-board/nestjs takes it. */
  readonly middleware = (request: Request, response: Response, next: NextFunction): void => {
    this.admit(request).then(
      (isAdmitted) => {
        if (isAdmitted) return next();
        response
          .status(401)
          .type('text/plain')
          .send(
            'Bull Board needs a session: POST /admin/queues/board-session with an admin key (the dashboard does it), then open this page again.',
          );
      },
      (error: unknown) => {
        this.logger.error(`Bull Board unavailable: ${String(error)}`);
        response.status(503).type('text/plain').send('Bull Board is unavailable: Redis cannot be reached.');
      },
    );
  };

  private async admit(request: Request): Promise<boolean> {
    const token = cookieValue(request.headers.cookie, QUEUE_BOARD_COOKIE);
    if (!token || !(await this.sessions.isOpen(token))) return false;
    const board = this.moduleRef.get<BullBoardInstance>(BULL_BOARD_INSTANCE, { strict: false });
    // A partition past the first is a board queue of its own (a prefix keeps its name apart),
    // shown as the queue's name and the partition's number.
    board.replaceQueues(
      (await this.queues.all()).flatMap(({ name, partitions }) =>
        partitions.map((queue, partition) =>
          partition === 0
            ? new BullMQAdapter(queue)
            : new BullMQAdapter(queue, { prefix: `#${partition} `, displayName: `${name} #${partition}` }),
        ),
      ),
    );
    return true;
  }
}

function cookieValue(header: string | undefined, name: string): string | null {
  for (const part of header?.split(';') ?? []) {
    const [key, ...value] = part.trim().split('=');
    if (key === name) return value.join('=');
  }
  return null;
}
