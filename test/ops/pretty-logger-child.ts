/** Logs one line through the redacting logger with pretty output forced, for redact.test.ts. */
import { configSchema } from '../../src/config/index.js';
import { createRedactingLogger } from '../../src/ops/redact.js';

const secret = process.env.CHILD_SECRET ?? 'missing-secret';
const config = configSchema.parse({ mailboxes: [{ name: 'support', host: 'imap.example.com', user: 'u', password: secret }] });
const logger = createRedactingLogger(config, { pretty: true, level: 'info' });
logger.info({ mailbox: 'support' }, `pretty line with ${secret}`);
logger.flush?.();
