import { execFileSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

export interface ServingCerts {
  caFile: string;
  certFile: string;
  keyFile: string;
  caPem: string;
  /** RSA key pair the apiserver signs and verifies service-account tokens with. */
  serviceAccountKeyFile: string;
  serviceAccountPubFile: string;
}

function openssl(args: string[], cwd: string): void {
  execFileSync('openssl', args, { cwd, stdio: ['ignore', 'ignore', 'pipe'] });
}

/** A throwaway CA and a serving certificate for 127.0.0.1/localhost, written into `dir`. */
export function generateServingCerts(dir: string): ServingCerts {
  openssl(['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-days', '3650', '-subj', '/CN=keelson-test-ca',
    '-keyout', 'ca.key', '-out', 'ca.crt'], dir);
  writeFileSync(join(dir, 'san.ext'),
    'subjectAltName=IP:127.0.0.1,DNS:localhost,DNS:kubernetes.default.svc\nextendedKeyUsage=serverAuth,clientAuth\n');
  openssl(['req', '-newkey', 'rsa:2048', '-nodes', '-subj', '/CN=127.0.0.1', '-keyout', 'serving.key', '-out', 'serving.csr'], dir);
  openssl(['x509', '-req', '-in', 'serving.csr', '-CA', 'ca.crt', '-CAkey', 'ca.key', '-CAcreateserial', '-days', '3650',
    '-extfile', 'san.ext', '-out', 'serving.crt'], dir);
  openssl(['genrsa', '-out', 'sa.key', '2048'], dir);
  openssl(['rsa', '-in', 'sa.key', '-pubout', '-out', 'sa.pub'], dir);
  return {
    caFile: join(dir, 'ca.crt'),
    certFile: join(dir, 'serving.crt'),
    keyFile: join(dir, 'serving.key'),
    caPem: readFileSync(join(dir, 'ca.crt'), 'utf8'),
    serviceAccountKeyFile: join(dir, 'sa.key'),
    serviceAccountPubFile: join(dir, 'sa.pub'),
  };
}
