/**
 * The build's second step (`npm run build`, and so `npm ci`): what a fresh data folder would
 * otherwise make on its first start, made once here instead, beside the built modules that use it.
 *
 * - the embedded database's template folder (src/db/pglite-template.ts): initdb, 5–13 s and a
 *   ~900 MB peak, in this short-lived process rather than in a user's first `triage` or `run`;
 * - the local model of the seed corpus (src/classify/local/store.ts): 5–10 s of training.
 *
 * Each is skipped when the one there is current (same PGlite version; same seed corpus and model
 * format), so building again costs nothing. Run from dist/ only: from source the paths would point
 * into src/.
 */
import { buildSeedModel, SEED_MODEL_FILE } from '../src/classify/local/store.js';
import { buildTemplate, PGLITE_TEMPLATE } from '../src/db/pglite-template.js';

if (!import.meta.url.includes('/dist/')) {
  console.error('build-assets: run the built script (node dist/scripts/build-assets.js), not the source');
  process.exit(2);
}

const started = performance.now();
const built = [(await buildTemplate()) && `embedded database template (${PGLITE_TEMPLATE})`, buildSeedModel() && `seed model (${SEED_MODEL_FILE})`].filter(Boolean);
const seconds = ((performance.now() - started) / 1000).toFixed(1);
console.log(built.length > 0 ? `build-assets: made ${built.join(' and ')} in ${seconds} s` : 'build-assets: template and seed model are current');
