import { parentPort, workerData } from 'node:worker_threads';
import { serializeModel, type TrainingExample, trainLocalModel } from './model.js';

// Trains off the main thread: seconds of CPU that would otherwise stall IMAP, the API and the queues.
parentPort?.postMessage(serializeModel(trainLocalModel(workerData as TrainingExample[])));
