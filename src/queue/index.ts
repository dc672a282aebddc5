/** The job queue every stage after the decision shares; design notes in queue.ts. */
export * from './queue.js';
export * from './runner.js';
