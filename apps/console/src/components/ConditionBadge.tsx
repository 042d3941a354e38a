// A Kubernetes condition (Ready, WebhookRegistered) as a badge; its message is shown beside it, since a title
// attribute alone is not reachable by keyboard.
import type { Condition } from '../api/types';
import { ToneBadge } from './ToneBadge';

export function findCondition(conditions: Condition[] | undefined, type: string): Condition | undefined {
  return conditions?.find((c) => c.type === type);
}

export function ConditionBadge({ condition, trueLabel, falseLabel, unknownLabel = 'Not checked yet' }: {
  condition?: Condition; trueLabel: string; falseLabel: string; unknownLabel?: string;
}) {
  if (!condition || condition.status === 'Unknown') return <ToneBadge tone="waiting" label={unknownLabel} title={condition?.message} />;
  return condition.status === 'True'
    ? <ToneBadge tone="success" label={trueLabel} />
    : <ToneBadge tone="failure" label={falseLabel} title={condition.message} />;
}
