// One Redis command over a raw connection (FLUSHALL, DBSIZE on a test's private Redis), without a client library:
// only the queue lib owns ioredis. Answers of one line only (+OK, :42, -ERR ...).
import { createConnection } from 'node:net';

export function redisCommand(url: string, ...args: string[]): Promise<string> {
  const { hostname, port } = new URL(url);
  const request = `*${args.length}\r\n${args.map((a) => `$${Buffer.byteLength(a)}\r\n${a}\r\n`).join('')}`;
  return new Promise((resolve, reject) => {
    let answer = '';
    const socket = createConnection({ host: hostname, port: Number(port) }, () => socket.write(request));
    socket.setTimeout(10_000, () => socket.destroy(new Error(`redis ${args[0]}: no answer`)));
    socket.on('data', (data) => {
      answer += data.toString('utf8');
      const end = answer.indexOf('\r\n');
      if (end < 0) return;
      socket.end();
      const line = answer.slice(0, end);
      if (line.startsWith('-')) reject(new Error(`redis ${args[0]}: ${line.slice(1)}`));
      else resolve(line.slice(1));
    });
    socket.on('error', reject);
  });
}
