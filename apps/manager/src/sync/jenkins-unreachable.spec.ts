import { JenkinsClientError } from '@keelson/engine-jenkins';
import { unreachableReason } from './jenkins-unreachable';

const network = (code: string) => new JenkinsClientError('Unreachable', `GET /x: Jenkins at http://j is unreachable (${code})`, { cause: Object.assign(new Error(code), { code }) });

describe('unreachableReason', () => {
  it('tells refused connections, requests without an answer in time and 5xx answers apart', () => {
    expect(unreachableReason(network('ECONNREFUSED'))).toBe('waiting for Jenkins: it refuses connections');
    expect(unreachableReason(network('ERR_CANCELED'))).toBe('waiting for Jenkins: it does not answer in time');
    expect(unreachableReason(network('ECONNABORTED'))).toBe('waiting for Jenkins: it does not answer in time');
    expect(unreachableReason(new JenkinsClientError('Unreachable', 'GET /x: HTTP 503', { status: 503 }))).toBe('waiting for Jenkins: it answers HTTP 503');
  });

  it('says only that Jenkins does not answer for anything else', () => {
    expect(unreachableReason(network('ECONNRESET'))).toBe('waiting for Jenkins: it does not answer');
    expect(unreachableReason(new Error('data plane not ready'))).toBe('waiting for Jenkins: it does not answer');
  });
});
