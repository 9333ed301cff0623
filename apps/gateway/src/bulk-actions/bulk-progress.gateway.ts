import { WebSocketGateway, WebSocketServer } from '@nestjs/websockets';
import { BulkActionProgress, ServerSocketEvent } from '@app/contracts';
import { Server } from 'socket.io';
import { apiKeyRoom } from '../realtime/workflow-events.gateway';

/**
 * Sends a bulk action's progress to every socket of the API key that started it, on whichever
 * gateway replica it is connected (the Socket.IO adapter carries it across).
 */
@WebSocketGateway()
export class BulkProgressGateway {
  @WebSocketServer() private readonly server!: Server;

  emit(keyId: string, progress: BulkActionProgress): void {
    this.server.to(apiKeyRoom(keyId)).emit(ServerSocketEvent.BulkProgress, progress);
  }
}
