import type { FastifyInstance } from 'fastify';
import type { AppOptions } from '../app.ts';

// Placeholder until this area lands.
export default async function routes(_app: FastifyInstance, _options: AppOptions): Promise<void> {}
