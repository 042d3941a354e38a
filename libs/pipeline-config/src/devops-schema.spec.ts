import Ajv from 'ajv';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'yaml';
import { DEVOPS_SCHEMA, DEVOPS_SCHEMA_PATH, renderDevopsSchema } from './devops-schema';
import { formatIssue } from './pipeline-config.errors';
import { parsePipelineConfig } from './pipeline-config.parser';

const ROOT = join(__dirname, '../../..');
const EXAMPLES = join(ROOT, 'examples');
const exampleFiles = readdirSync(EXAMPLES).filter((f) => /\.ya?ml$/.test(f));

describe('the published JSON Schema', () => {
  it('matches the schema in code (regenerate with libs/pipeline-config/scripts/write-schema.ts)', () => {
    expect(readFileSync(join(ROOT, DEVOPS_SCHEMA_PATH), 'utf8')).toBe(renderDevopsSchema());
  });

  it('compiles in ajv strict mode as a draft-07 schema editors understand', () => {
    expect(DEVOPS_SCHEMA.$schema).toBe('http://json-schema.org/draft-07/schema#');
    expect(() => new Ajv({ strict: true, strictRequired: false, allowUnionTypes: true }).compile(JSON.parse(renderDevopsSchema()))).not.toThrow();
  });
});

describe('examples', () => {
  it('has a handful of examples', () => {
    expect(exampleFiles.length).toBeGreaterThanOrEqual(3);
  });

  it.each(exampleFiles)('%s is valid', (name) => {
    const text = readFileSync(join(EXAMPLES, name), 'utf8');
    const result = parsePipelineConfig(text, { file: `examples/${name}` });
    expect(result.ok ? [] : result.issues.map(formatIssue)).toEqual([]);
    expect(text.startsWith('# yaml-language-server: $schema=../schemas/devops.schema.json')).toBe(true);
  });

  it.each(exampleFiles)('%s is valid against the published JSON file alone, as an editor sees it', (name) => {
    const schema = JSON.parse(readFileSync(join(ROOT, DEVOPS_SCHEMA_PATH), 'utf8'));
    const validate = new Ajv({ strictRequired: false, allowUnionTypes: true }).compile(schema);
    expect(validate(parse(readFileSync(join(EXAMPLES, name), 'utf8'), { merge: true }))).toBe(true);
  });
});
