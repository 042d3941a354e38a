// Last line of defence: kill any server of this run still alive (a crashed worker cannot clean up) and say so.
import { reclaimAbandonedRealNode } from '../libs/servers/src/real-node';
import { reapProcessesOwnedBy } from '../libs/servers/src/reaper';

export default async function globalTeardown(): Promise<void> {
  const leftovers = reapProcessesOwnedBy(process.env.KEELSON_SERVER_OWNER!);
  if (leftovers.length) process.stderr.write(`\nkilled ${leftovers.length} server(s) left behind by tests: ${leftovers.join(', ')}\n`);
  // A real node's containers, mounts, cgroups and sysctls outlive its servers: put them back too.
  const node = await reclaimAbandonedRealNode();
  if (node) process.stderr.write(`\ncleaned up a real node left behind by tests: ${node}\n`);
}
