// The only public face of @keelson/queue, and the only lib that imports bullmq or ioredis.
export { JobOutcome } from './delayed-job-queue.port';
export type { DelayedJobQueue, JobProcessor, QueuedJob } from './delayed-job-queue.port';
export { InMemoryJobQueue } from './in-memory-job-queue';
export { BullmqJobQueue } from './bullmq-job-queue';
export type { BullmqJobQueueOptions } from './bullmq-job-queue';
export { DELIVERIES_PER_PIPELINE, DELIVERY_ID_TTL_SECONDS } from './delivery-log.port';
export type { DeliveryLog, DeliveryOutcome, DeliveryRecord } from './delivery-log.port';
export { RedisDeliveryLog } from './redis-delivery-log';
export type { RedisDeliveryLogOptions } from './redis-delivery-log';
export { DEFAULT_RETRY_POLICY, retryDelayMs } from './retrying-job-queue.port';
export type { RetriedJob, RetriedJobProcessor, RetryingJobQueue, RetryPolicy } from './retrying-job-queue.port';
export { InMemoryRetryingJobQueue } from './in-memory-retrying-job-queue';
export { BullmqRetryingJobQueue } from './bullmq-retrying-job-queue';
export type { BullmqRetryingJobQueueOptions } from './bullmq-retrying-job-queue';
export type { OneTimeKeys } from './one-time-keys.port';
export { RedisOneTimeKeys, InMemoryOneTimeKeys } from './redis-one-time-keys';
export type { RedisOneTimeKeysOptions } from './redis-one-time-keys';
