// What happened to each webhook delivery: the outcome per delivery id (kept for the redelivery window), and a
// bounded newest-first list per pipeline that the deliveries API reads.

export type DeliveryOutcome = 'created' | 'duplicate' | 'ignored' | 'refused';

export interface DeliveryRecord {
  /** The provider's delivery id; absent when the provider sent none. */
  id?: string;
  provider?: string;
  event?: string;
  outcome: DeliveryOutcome;
  /** Why it was ignored or refused; never the body, never a secret. */
  reason?: string;
  /** Executions it made or found. */
  executions?: string[];
  /** The HTTP status it was answered with. */
  status: number;
  time: string;
}

export interface DeliveryLog {
  /** Adds the record to the pipeline's list and, when it has an id, remembers the outcome by id. */
  record(namespace: string, pipeline: string, entry: DeliveryRecord): Promise<void>;
  /** The outcome a delivery id had, while remembered. */
  outcomeOf(namespace: string, pipeline: string, id: string): Promise<DeliveryRecord | undefined>;
  /** The pipeline's recent deliveries, newest first. */
  list(namespace: string, pipeline: string, limit?: number): Promise<DeliveryRecord[]>;
  close(): Promise<void>;
}

/** At least three days (issue 11): GitHub lets a delivery be redelivered for three days. */
export const DELIVERY_ID_TTL_SECONDS = 4 * 24 * 3600;
/** Deliveries kept per pipeline. */
export const DELIVERIES_PER_PIPELINE = 200;
