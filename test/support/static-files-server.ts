import { once } from 'node:events';
import { readFile } from 'node:fs/promises';
import { Server, createServer } from 'node:http';
import { AddressInfo } from 'node:net';
import { extname, join, normalize } from 'node:path';

const CONTENT_TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.svg': 'image/svg+xml',
};

/**
 * Serves a directory over HTTP on a free local port, so a browser loads pages as from a web
 * server (a file:// page cannot fetch its own stylesheet, which axe does).
 */
export class StaticFilesServer {
  private constructor(private readonly server: Server) {}

  static async start(root: string): Promise<StaticFilesServer> {
    const server = createServer((request, response) => {
      const path = normalize(decodeURIComponent(new URL(request.url ?? '/', 'http://local').pathname));
      readFile(join(root, path.endsWith('/') ? `${path}index.html` : path)).then(
        (body) => {
          response.writeHead(200, {
            'content-type': CONTENT_TYPES[extname(path)] ?? 'text/html; charset=utf-8',
          });
          response.end(body);
        },
        () => {
          response.writeHead(404);
          response.end();
        },
      );
    });
    server.listen(0, '127.0.0.1');
    await once(server, 'listening');
    return new StaticFilesServer(server);
  }

  get url(): string {
    return `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
  }

  async close(): Promise<void> {
    this.server.closeAllConnections();
    await new Promise((resolve) => this.server.close(resolve));
  }
}
