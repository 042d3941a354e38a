// A DNS lookup that answers only with the addresses the outbound check approved. Node resolves the host again
// when it connects; with this lookup a second DNS answer (rebinding) cannot move the connection elsewhere.
import { isIPv6 } from 'node:net';
import type { LookupFunction } from 'node:net';

export function pinnedLookup(hostname: string, addresses: readonly string[]): LookupFunction {
  const entries = addresses.map((address) => ({ address, family: isIPv6(address) ? 6 : 4 }));
  return (host, options, callback) => {
    const family = options.family === 'IPv4' ? 4 : options.family === 'IPv6' ? 6 : options.family;
    const fitting = entries.filter((entry) => !family || entry.family === family);
    if (host.toLowerCase() !== hostname.toLowerCase() || fitting.length === 0) {
      const err = Object.assign(new Error(`lookup of ${host} refused: only the checked addresses of ${hostname} may be used`), { code: 'ENOTFOUND' });
      // The callback's overloads differ by `all`; both accept an error alone.
      (callback as (err: NodeJS.ErrnoException) => void)(err);
      return;
    }
    if (options.all) (callback as (err: null, addresses: Array<{ address: string; family: number }>) => void)(null, fitting);
    else (callback as (err: null, address: string, family: number) => void)(null, fitting[0].address, fitting[0].family);
  };
}
