import { decideAdmission, type AdmissionCandidate } from './admission';

const at = (s: number) => `2026-11-23T10:00:${String(s).padStart(2, '0')}Z`;
const exe = (name: string, phase: AdmissionCandidate['phase'], created: number, run = created): AdmissionCandidate => ({ name, phase, created: at(created), run });

describe('decideAdmission', () => {
  it('admits the oldest waiting executions into the free slots and queues the rest with a reason', () => {
    const verdicts = decideAdmission([
      exe('a-1', 'Running', 1), exe('a-4', 'Pending', 4), exe('a-2', 'Queued', 2), exe('a-3', undefined, 3), exe('a-0', 'Succeeded', 0),
    ], 3, 'demo');
    expect(verdicts.get('a-2')).toEqual({ admit: true });
    expect(verdicts.get('a-3')).toEqual({ admit: true });
    expect(verdicts.get('a-4')).toEqual({ admit: false, reason: '1 of 3 running in project demo', cause: 'ProjectConcurrencyLimit' });
    expect(verdicts.has('a-1')).toBe(false);
  });

  it('queues everything while the project is at its limit, saying so', () => {
    const verdicts = decideAdmission([exe('a', 'Running', 1), exe('b', 'Provisioning', 2), exe('c', 'Queued', 3)], 2, 'demo');
    expect(verdicts.get('c')).toEqual({ admit: false, reason: '2 of 2 running in project demo', cause: 'ProjectConcurrencyLimit' });
  });

  it('orders executions created in the same second by run number, and ignores stopped ones and those without a run', () => {
    const stopped = { ...exe('s', 'Pending', 1), stop: true };
    const unnumbered = { ...exe('u', 'Pending', 0), run: undefined };
    const verdicts = decideAdmission([exe('x-10', 'Pending', 5, 10), exe('x-9', 'Pending', 5, 9), stopped, unnumbered], 1, 'p');
    expect(verdicts.get('x-9')).toEqual({ admit: true });
    expect(verdicts.get('x-10')).toMatchObject({ admit: false });
    expect(verdicts.has('s')).toBe(false);
    expect(verdicts.has('u')).toBe(false);
  });

  it('gives a run its pipeline holds back no project slot, so the next run of another pipeline takes it', () => {
    const held = new Map([['x-2', 'waiting: 1 of 1 run of pipeline x is running: x-1']]);
    const verdicts = decideAdmission([exe('x-1', 'Running', 1), exe('x-2', 'Queued', 2), exe('y-1', 'Queued', 3)], 2, 'demo', held);
    expect(verdicts.get('x-2')).toEqual({ admit: false, reason: 'waiting: 1 of 1 run of pipeline x is running: x-1', cause: 'PipelineConcurrencyLimit' });
    expect(verdicts.get('y-1')).toEqual({ admit: true });
  });
});
