import { STATUS_CODES } from 'node:http';
import type { FastifyReply } from 'fastify';

/** Sends the API's error shape: `{statusCode, error, message}`; `message` says what to do. */
export function sendError(reply: FastifyReply, statusCode: number, message: string, code?: string): FastifyReply {
  return reply.code(statusCode).send({ statusCode, error: STATUS_CODES[statusCode] ?? 'Error', message, ...(code ? { code } : {}) });
}
