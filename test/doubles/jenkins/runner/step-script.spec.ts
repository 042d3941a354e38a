import { parseStepScript } from './step-script';

describe('the step script convention', () => {
  it('reads exit, sleep and echo, and traces everything else', () => {
    expect(parseStepScript('set -e\n# a comment\n\necho "hello world"\nsleep 2.5\nmake \\\n  all\nexit 3\n')).toEqual([
      { kind: 'other', trace: '+ set -e' },
      { kind: 'echo', trace: '+ echo "hello world"', text: 'hello world' },
      { kind: 'sleep', trace: '+ sleep 2.5', seconds: 2.5 },
      { kind: 'other', trace: '+ make   all' },
      { kind: 'exit', trace: '+ exit 3', code: 3 },
    ]);
  });

  it('reads a bare exit as code 0 and wraps codes like a shell', () => {
    expect(parseStepScript('exit')).toEqual([{ kind: 'exit', trace: '+ exit', code: 0 }]);
    expect(parseStepScript('exit 257')[0]).toMatchObject({ code: 1 });
  });

  it('does not mistake commands that merely start with a keyword', () => {
    expect(parseStepScript('sleepy 3\nexiting\necho_x').map((c) => c.kind)).toEqual(['other', 'other', 'other']);
  });
});
