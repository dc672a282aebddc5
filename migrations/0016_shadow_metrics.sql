-- /metrics reads a shadow candidate's recent results at every scrape (src/shadow/usage.ts): its
-- last 500 classified results, newest first. Without this index each scrape read the whole table,
-- which grows by one row per live email for as long as the candidate runs.
CREATE INDEX shadow_results_candidate_recent_idx ON shadow_results (candidate, completed_at DESC, id DESC) WHERE status = 'done';
