import { ConfigError } from '../config/config-error.js';
import { createApiServer, type ApiContext } from './create-server.js';

/** `127.0.0.1:8025`, `[::1]:8025`, `0.0.0.0:80`, `:8025` (all interfaces) or `8025` (loopback). */
export function parseListen(listen: string): { host: string; port: number } {
  const match = /^(?:\[([^\]]+)\]|([^:]*))?:?(\d{1,5})$/.exec(listen.trim());
  const port = match ? Number(match[3]) : NaN;
  if (!match || !Number.isInteger(port) || port > 65535) {
    throw new ConfigError(`api.listen: expected host:port like 127.0.0.1:8025, got "${listen}"`);
  }
  const explicit = match[1] ?? match[2];
  const host = explicit === undefined ? '127.0.0.1' : explicit === '' ? '0.0.0.0' : explicit;
  return { host, port };
}

export interface RunningApi {
  /** The address actually bound (port 0 in the config picks a free one). */
  url: string;
  /** Stops accepting connections and waits for requests in flight. */
  close(): Promise<void>;
}

/** Builds and starts the API on `api.listen`; for `mailroom run` (when api.enabled). */
export async function startApiServer(ctx: ApiContext): Promise<RunningApi> {
  const { host, port } = parseListen(ctx.config.api.listen);
  const app = createApiServer(ctx);
  try {
    await app.listen({ host, port });
  } catch (error) {
    await app.close().catch(() => {});
    const code = (error as NodeJS.ErrnoException).code;
    const hint = code === 'EADDRINUSE' ? ': the port is in use (another Mailroom?); change api.listen' : code === 'EACCES' ? ': not allowed to bind it (ports below 1024 need privileges)' : '';
    throw new Error(`cannot serve the API on ${ctx.config.api.listen}${hint}: ${(error as Error).message}`, { cause: error });
  }
  const address = app.server.address();
  const bound = typeof address === 'object' && address ? address : { address: host, port };
  const shownHost = bound.address.includes(':') ? `[${bound.address}]` : bound.address;
  if (ctx.config.api.tokens.length === 0) {
    ctx.logger.warn({ listen: ctx.config.api.listen }, 'the API has no tokens (api.tokens): /v1 routes answer 401 until some are configured; /health, /ready and /metrics are open');
  }
  return { url: `http://${shownHost}:${bound.port}`, close: () => app.close() };
}
