import { parentPort, workerData } from 'node:worker_threads';
import { serializeModel, type TrainingExample, trainLocalModel } from './model.js';

// Trains off the main thread: seconds of CPU that would otherwise stall IMAP, the API and the queues.
const file = serializeModel(trainLocalModel(workerData as TrainingExample[]));
// Handed over, not copied: the buffer is the model's own (Buffer.alloc of this size is not pooled).
parentPort?.postMessage(file, [file.buffer as ArrayBuffer]);
