import type { FastifyReply, FastifyRequest } from 'fastify';
import { setTimeout as delay } from 'node:timers/promises';
import type { EmulatorContext } from './context.js';
import { errorBody } from './errors.js';
import type { FaultRule } from './faults.js';
import { rateLimitExceededMessage, rateLimitHeaders } from './rate-limit.js';
import type { EmulatorOperation } from './stats.js';
import './fastify-config.js';

/**
 * Applies a transport fault to a request before its route runs. A delay alone lets the request
 * continue afterwards; a status, an HTML body or a dropped connection replaces the reply. The
 * request body is read and discarded first, so the client can finish sending it (the SDK streams
 * uploads) before the reply arrives.
 */
export async function applyTransportFault(
  context: EmulatorContext,
  rule: FaultRule,
  operation: EmulatorOperation,
  request: FastifyRequest,
  reply: FastifyReply,
): Promise<FastifyReply | undefined> {
  if (rule.delayMs !== undefined) await delay(rule.delayMs);

  const replacesReply = rule.status !== undefined || rule.nonJson === true || rule.dropConnection === true;
  if (!replacesReply) return undefined;

  request.log.info({ operation, fault: rule }, 'injecting a fault');
  for await (const _chunk of request.raw) {
    // Discarded: the fault decides the reply, not the body.
  }

  if (rule.dropConnection) {
    reply.hijack();
    reply.raw.writeHead(200, { 'content-type': 'application/json' });
    reply.raw.write('{"public_id":"', () => reply.raw.socket?.destroy());
    return reply;
  }

  const status = rule.status ?? 500;
  const exhausted = context.adminRateLimiter.exhaustedState();
  const headers: Record<string, string> = { ...(status === 420 ? rateLimitHeaders(exhausted) : {}), ...(rule.headers ?? {}) };

  if (rule.nonJson) {
    return reply
      .code(status)
      .headers(headers)
      .type('text/html')
      .send(`<html><head><title>${status}</title></head><body><h1>Injected fault: HTTP ${status}</h1></body></html>`);
  }

  const message = status === 420 ? rateLimitExceededMessage(exhausted) : `Injected fault: HTTP ${status} for ${operation}`;
  if (request.routeOptions.config.emulatorCldErrorHeader) headers['x-cld-error'] = message;
  return reply.code(status).headers(headers).send(errorBody(message));
}
