/**
 * Figure 5: characters the model would read per message, raw vs cleaned, over the message pool,
 * parsed in this process with Mailroom's own parser (mailparser + cleaning) — and, as a by-product,
 * which messages reach the model at all (no pre-filter decides them) and the parse CPU cost.
 */
import { DEFAULT_MAX_CLEAN_CHARS, parseEmail } from '../../src/parse/parse-email.js';
import { runPrefilters } from '../../src/prefilter/index.js';
import type { SourceMessage } from '../support/message-pool.js';
import { median, percentile } from '../support/stats.js';

export interface InputCharsResult {
  messages: number;
  parseFailures: number;
  /** Messages a pre-filter decides (no model call). */
  prefiltered: number;
  /** Size of the message as stored (bytes). */
  bytes: { median: number; p95: number };
  /** Visible text of the whole message (HTML as text, quotes and signatures kept): ParsedEmail.rawChars. */
  raw: { median: number; p95: number };
  /** What the model reads: newest message, quotes/signatures/footers removed, capped: ParsedEmail.cleanChars. */
  clean: { median: number; p95: number };
  /** Only the messages that go to the model. */
  modelBound: { messages: number; raw: { median: number; p95: number }; clean: { median: number; p95: number } };
  /** Mean CPU ms of parse + clean per message, in this process. */
  parseCpuMsPerMessage: number;
  modelBoundSources: SourceMessage[];
}

const OWN_ADDRESSES = ['support@example.com'];
const MAX_MESSAGE_BYTES = 25 * 1024 * 1024;

export async function measureInputChars(sources: readonly SourceMessage[]): Promise<InputCharsResult> {
  const bytes: number[] = [];
  const raw: number[] = [];
  const clean: number[] = [];
  const boundRaw: number[] = [];
  const boundClean: number[] = [];
  const modelBoundSources: SourceMessage[] = [];
  let parseFailures = 0;
  let prefiltered = 0;
  const cpuStart = process.cpuUsage();
  for (const source of sources) {
    let email: Awaited<ReturnType<typeof parseEmail>>;
    try {
      email = await parseEmail(source.raw, { maxCleanChars: DEFAULT_MAX_CLEAN_CHARS });
    } catch {
      parseFailures++;
      continue;
    }
    bytes.push(source.raw.length);
    raw.push(email.rawChars);
    clean.push(email.cleanChars);
    const hit = runPrefilters(email, { ownAddresses: OWN_ADDRESSES, sizeBytes: source.raw.length, maxMessageBytes: MAX_MESSAGE_BYTES });
    if (hit) {
      prefiltered++;
      continue;
    }
    boundRaw.push(email.rawChars);
    boundClean.push(email.cleanChars);
    modelBoundSources.push(source);
  }
  const cpu = process.cpuUsage(cpuStart);
  const summary = (values: number[]) => ({ median: median(values), p95: percentile(values, 95) });
  return {
    messages: sources.length,
    parseFailures,
    prefiltered,
    bytes: summary(bytes),
    raw: summary(raw),
    clean: summary(clean),
    modelBound: { messages: modelBoundSources.length, raw: summary(boundRaw), clean: summary(boundClean) },
    parseCpuMsPerMessage: (cpu.user + cpu.system) / 1000 / sources.length,
    modelBoundSources,
  };
}
