// What the operator allows outbound calls that carry credentials (git fetches, provider API calls) to reach.
// By default: https only, and only public addresses.
import { Cidr, parseCidr } from './cidr';
import { OutboundError } from './outbound.errors';

export interface OutboundPolicy {
  /** Plain http too (local mode, tests); https only when false. */
  allowHttp: boolean;
  /** Ranges that may be reached although they are loopback, private, link-local...: `127.0.0.0/8`, `10.0.0.0/8`. */
  allowCidrs: readonly string[];
}

export const STRICT_OUTBOUND_POLICY: OutboundPolicy = Object.freeze({ allowHttp: false, allowCidrs: Object.freeze([]) });

/** The allowed ranges, parsed; throws `InvalidPolicy` naming every entry that is not a CIDR. */
export function allowedRanges(policy: OutboundPolicy): Cidr[] {
  const parsed = policy.allowCidrs.map((text) => [text, parseCidr(text)] as const);
  const bad = parsed.filter(([, cidr]) => !cidr).map(([text]) => JSON.stringify(text));
  if (bad.length > 0) throw new OutboundError('InvalidPolicy', `allowCidrs: ${bad.join(', ')} ${bad.length === 1 ? 'is not a CIDR' : 'are not CIDRs'} (such as 127.0.0.0/8 or ::1/128)`);
  return parsed.map(([, cidr]) => cidr!);
}
