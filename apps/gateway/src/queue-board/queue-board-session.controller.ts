import { Controller, HttpCode, HttpStatus, Post, Req, Res } from '@nestjs/common';
import { ApiBearerAuth, ApiTags } from '@nestjs/swagger';
import { Request, Response } from 'express';
import { Caller } from '../auth/caller';
import { CurrentCaller } from '../auth/caller.decorator';
import { Roles } from '../auth/roles.decorator';
import { QueueBoardSession } from './queue-board-session.dto';
import { QUEUE_BOARD_SESSION_SECONDS, QueueBoardSessions } from './queue-board-sessions.repository';
import { QUEUE_BOARD_COOKIE, QUEUE_BOARD_ROUTE } from './queue-board.gate';

@ApiTags('admin')
@ApiBearerAuth()
@Roles('admin')
@Controller('admin/queues/board-session')
export class QueueBoardSessionController {
  constructor(private readonly sessions: QueueBoardSessions) {}

  /**
   * Opens a 15-minute Bull Board session for this admin key: an HttpOnly, SameSite=Strict cookie
   * scoped to the board's path, which a browser sends where it cannot send a Bearer header.
   */
  @Post()
  @HttpCode(HttpStatus.CREATED)
  async open(
    @CurrentCaller() caller: Caller,
    @Req() request: Request,
    @Res({ passthrough: true }) response: Response,
  ): Promise<QueueBoardSession> {
    const token = await this.sessions.open(caller.keyId);
    const isHttps = request.secure || request.headers['x-forwarded-proto'] === 'https';
    response.cookie(QUEUE_BOARD_COOKIE, token, {
      httpOnly: true,
      sameSite: 'strict',
      secure: isHttps,
      path: QUEUE_BOARD_ROUTE,
      maxAge: QUEUE_BOARD_SESSION_SECONDS * 1000,
    });
    return {
      url: QUEUE_BOARD_ROUTE,
      expiresAt: new Date(Date.now() + QUEUE_BOARD_SESSION_SECONDS * 1000).toISOString(),
    };
  }
}
