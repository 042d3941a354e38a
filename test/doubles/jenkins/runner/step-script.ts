// How the double "runs" a step's shell script (README: step convention). Each line is one command, read the
// way `sh -xe` would trace it: `exit N` ends the step with code N, `sleep N` takes N seconds of the double's
// clock, `echo text` prints text, `yes text | head -n N` prints it N times; anything else is only traced. Comments and blank lines are skipped and a
// trailing backslash continues a line.

export type StepCommand =
  | { kind: 'exit'; trace: string; code: number }
  | { kind: 'sleep'; trace: string; seconds: number }
  | { kind: 'echo'; trace: string; text: string }
  | { kind: 'repeat'; trace: string; text: string; count: number }
  | { kind: 'other'; trace: string };

export function parseStepScript(script: string): StepCommand[] {
  const lines: string[] = [];
  let carry = '';
  for (const raw of script.split(/\r?\n/)) {
    const line = carry + raw;
    if (/\\$/.test(line)) {
      carry = line.slice(0, -1);
      continue;
    }
    carry = '';
    lines.push(line.trim());
  }
  if (carry.trim()) lines.push(carry.trim());
  return lines.filter((l) => l !== '' && !l.startsWith('#')).map(command);
}

function command(line: string): StepCommand {
  const trace = `+ ${line}`;
  const exit = /^exit(?:\s+(-?\d+))?\s*;?$/.exec(line);
  if (exit) return { kind: 'exit', trace, code: exit[1] === undefined ? 0 : ((Number(exit[1]) % 256) + 256) % 256 };
  const sleep = /^sleep\s+(\d+(?:\.\d+)?)\s*;?$/.exec(line);
  if (sleep) return { kind: 'sleep', trace, seconds: Number(sleep[1]) };
  // `yes TEXT | head -n N` prints TEXT N times: how a test makes a step print megabytes.
  const repeat = /^yes\s+(.+?)\s*\|\s*head\s+-n\s*(\d+)\s*;?$/.exec(line);
  if (repeat) return { kind: 'repeat', trace, text: unquote(repeat[1]), count: Number(repeat[2]) };
  const echo = /^echo(?:\s+(.*))?$/.exec(line);
  if (echo) return { kind: 'echo', trace, text: unquote(echo[1] ?? '') };
  return { kind: 'other', trace };
}

/** `echo "a b"` and `echo 'a b'` print `a b`; anything else is printed as written. */
function unquote(text: string): string {
  const m = /^(["'])(.*)\1$/.exec(text.trim());
  return m ? m[2] : text;
}
