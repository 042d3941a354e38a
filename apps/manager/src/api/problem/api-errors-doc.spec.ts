// docs/api-errors.md is the clients' reference for the problem types: it must name every type the code has, no
// other, with the status each is sent with, and list every domain code under the type that code is sent as.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { API_AUTH_ERROR_CODES, ApiAuthError } from '../auth/api-auth.errors';
import { EXECUTION_ERROR_CODES, ExecutionError } from '../../executions/execution.errors';
import { SOURCE_CODE_ERROR_CODES, SourceCodeError } from '../../source-code/source-code.errors';
import { OIDC_ERROR_CODES, OidcError } from '../../oidc/oidc.errors';
import { PROBLEM_SLUGS } from './api-problem';
import { problemOf, toProblem } from './problem-mapping';

const DOC = readFileSync(join(__dirname, '..', '..', '..', '..', '..', 'docs', 'api-errors.md'), 'utf8');

interface Section {
  slug: string;
  status: number;
  codes: string[];
}

/** `## \`slug\` (status)` headings, and the backquoted names of each section's `Codes:` paragraph. */
function sections(markdown: string): Section[] {
  return markdown.split(/^## /m).slice(1).map((part) => {
    const heading = /^`([a-z-]+)` \((\d{3})\)/.exec(part);
    if (!heading) throw new Error(`a section of docs/api-errors.md does not start with \`slug\` (status): ${part.slice(0, 60)}`);
    // The paragraph may wrap: up to a blank line or the section's end (not a line's end).
    const codesParagraph = /^Codes: ([\s\S]*?)(?:\n\n|(?![\s\S]))/m.exec(part)?.[1] ?? '';
    return { slug: heading[1], status: Number(heading[2]), codes: [...codesParagraph.matchAll(/`([A-Za-z<>]+)`/g)].map((m) => m[1]) };
  });
}

/** Every domain code of the API with the problem it is sent as. */
const DOMAIN_CODES = [
  ...API_AUTH_ERROR_CODES.map((code) => ({ code, problem: toProblem(new ApiAuthError(code, 'x'))! })),
  ...EXECUTION_ERROR_CODES.map((code) => ({ code, problem: toProblem(new ExecutionError(code, 'x'))! })),
  ...SOURCE_CODE_ERROR_CODES.map((code) => ({ code, problem: toProblem(new SourceCodeError(code, 'x'))! })),
  ...OIDC_ERROR_CODES.map((code) => ({ code, problem: toProblem(new OidcError(code, 'x'))! })),
];

describe('docs/api-errors.md', () => {
  const documented = sections(DOC);

  it('documents every problem type of ProblemSlug once, and no other', () => {
    expect(documented.map((s) => s.slug).sort()).toEqual([...PROBLEM_SLUGS].sort());
  });

  it('gives each type the status it is sent with', () => {
    for (const { slug, status } of documented) {
      // stale-version is the one type that shares its status (409) with another, conflict.
      const expected = slug === 'stale-version' ? 'conflict' : slug;
      expect({ slug, sentAs: problemOf(status, 'x').slug }).toEqual({ slug, sentAs: expected });
    }
  });

  it('says when each type happens and what the client should do', () => {
    for (const part of DOC.split(/^## /m).slice(1)) {
      expect(part).toMatch(/\*\*When\*\*: \S/);
      expect(part).toMatch(/\*\*Do\*\*: \S/);
    }
  });

  it('lists every domain code under the type it is sent as', () => {
    const sectionOf = new Map(documented.flatMap((s) => s.codes.map((code) => [code, s.slug] as const)));
    for (const { code, problem } of DOMAIN_CODES) {
      expect({ code, section: sectionOf.get(code) }).toEqual({ code, section: problem.slug });
    }
  });

  it('lists no domain code that does not exist (apiserver reasons aside)', () => {
    const known = new Set<string>(DOMAIN_CODES.map((c) => c.code));
    const listed = documented.flatMap((s) => s.codes).filter((code) => !code.startsWith('Kube'));
    expect(listed.filter((code) => !known.has(code))).toEqual([]);
  });
});
