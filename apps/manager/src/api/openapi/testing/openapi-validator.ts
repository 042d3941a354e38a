// Checks values and HTTP answers against the OpenAPI document with ajv (JSON Schema 2020-12, OpenAPI 3.1's dialect):
// the document's own test compiles every schema in it, the contract test checks every answer of the API.
import Ajv2020, { type ValidateFunction } from 'ajv/dist/2020';
import addFormats from 'ajv-formats';
import type { OpenApiDocument, OpenApiOperation } from '../openapi-document';

type Json = Record<string, unknown>;

const DOC_ID = 'https://keelson.dev/openapi.json';
const COMPONENT_REF = '#/components/schemas/';
/** Keywords of the OpenAPI base vocabulary that JSON Schema itself lacks (annotations only). */
const OAS_KEYWORDS = ['example', 'discriminator', 'xml', 'externalDocs'];

/** An answer as the test read it: the body as text, so a wrong content type cannot hide behind a parse. */
export interface HttpAnswer {
  status: number;
  headers: Headers;
  body: string;
}

export interface SchemaAtPointer {
  where: string;
  schema: Json;
}

/** Every schema of the document: the components and those inline in parameters, bodies, answers and headers. */
export function schemasOf(document: OpenApiDocument): SchemaAtPointer[] {
  const found: SchemaAtPointer[] = Object.entries(document.components.schemas).map(([name, schema]) => ({ where: `${COMPONENT_REF}${name}`, schema }));
  for (const [path, item] of Object.entries(document.paths)) {
    for (const [method, op] of Object.entries(item)) {
      const at = `${method.toUpperCase()} ${path}`;
      for (const p of op.parameters ?? []) if (p.schema) found.push({ where: `${at} parameter ${p.name}`, schema: p.schema as Json });
      for (const [type, media] of Object.entries((op.requestBody?.content ?? {}) as Record<string, Json>)) {
        if (media.schema) found.push({ where: `${at} request ${type}`, schema: media.schema as Json });
      }
      for (const [status, response] of Object.entries(op.responses)) {
        for (const [type, media] of Object.entries((response.content ?? {}) as Record<string, Json>)) {
          if (media.schema) found.push({ where: `${at} ${status} ${type}`, schema: media.schema as Json });
        }
        for (const [name, header] of Object.entries((response.headers ?? {}) as Record<string, Json>)) {
          if (header.schema) found.push({ where: `${at} ${status} header ${name}`, schema: header.schema as Json });
        }
      }
    }
  }
  return found;
}

/** Every key starting with x- anywhere in a value: specification extensions, which OpenAPI 3.1 allows in schemas. */
function extensionKeys(value: unknown, into = new Set<string>()): Set<string> {
  if (Array.isArray(value)) value.forEach((v) => extensionKeys(v, into));
  else if (value && typeof value === 'object') {
    for (const [k, v] of Object.entries(value)) {
      if (k.startsWith('x-')) into.add(k);
      extensionKeys(v, into);
    }
  }
  return into;
}

/** `#/components/schemas/X` → an absolute $ref ajv resolves against the document's schemas. */
function absoluteRefs(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(absoluteRefs);
  if (!value || typeof value !== 'object') return value;
  return Object.fromEntries(Object.entries(value).map(([k, v]) => [
    k, k === '$ref' && typeof v === 'string' && v.startsWith(COMPONENT_REF) ? `${DOC_ID}#/$defs/${v.slice(COMPONENT_REF.length)}` : absoluteRefs(v),
  ]));
}

export class OpenApiValidator {
  private readonly ajv: Ajv2020;
  private readonly compiled = new Map<string, ValidateFunction>();

  constructor(readonly document: OpenApiDocument) {
    // Strict about schemas (an unknown keyword, e.g. 3.0's nullable, or an unknown format is an error), not about
    // the style of types, which JSON Schema leaves free.
    this.ajv = new Ajv2020({ strict: true, strictTypes: false, strictTuples: false, strictRequired: false, allErrors: true });
    addFormats(this.ajv);
    for (const keyword of [...OAS_KEYWORDS, ...extensionKeys(document)]) this.ajv.addKeyword({ keyword });
    this.ajv.addSchema({ $id: DOC_ID, $defs: absoluteRefs(document.components.schemas) as Json });
  }

  /** The compiled validator of a schema of the document (compiling is where a bad schema or $ref fails). */
  compile(schema: object): ValidateFunction {
    const key = JSON.stringify(schema);
    let validate = this.compiled.get(key);
    if (!validate) {
      validate = this.ajv.compile(absoluteRefs(schema) as Json);
      this.compiled.set(key, validate);
    }
    return validate;
  }

  /** What is wrong with a value, as `<instancePath> <message>` lines; empty when it is valid. */
  validate(schema: object, value: unknown): string[] {
    const validate = this.compile(schema);
    if (validate(value)) return [];
    return (validate.errors ?? []).map((e) => `${e.instancePath || '/'} ${e.message}${e.params ? ` ${JSON.stringify(e.params)}` : ''}`);
  }

  operation(method: string, path: string): OpenApiOperation {
    const op = this.document.paths[path]?.[method.toLowerCase()];
    if (!op) throw new Error(`the document has no ${method.toUpperCase()} ${path}`);
    return op;
  }

  /** What is wrong with an answer of an operation: an undocumented status, content type or header, or a body off its schema. */
  checkAnswer(method: string, path: string, answer: HttpAnswer): string[] {
    const op = this.operation(method, path);
    const response = op.responses[String(answer.status)] ?? op.responses[`${String(answer.status)[0]}XX`] ?? op.responses.default;
    if (!response) return [`status ${answer.status} is not documented (documented: ${Object.keys(op.responses).join(', ')})`];
    const problems: string[] = [];
    for (const [name, header] of Object.entries((response.headers ?? {}) as Record<string, Json>)) {
      const value = answer.headers.get(name);
      if (value === null) {
        if (header.required) problems.push(`header ${name} is documented as required and missing`);
      } else if (header.schema) {
        problems.push(...this.validate(header.schema as Json, value).map((e) => `header ${name}: ${e}`));
      }
    }
    const content = response.content as Record<string, Json> | undefined;
    if (!content) return problems;
    const type = (answer.headers.get('content-type') ?? '').split(';')[0].trim().toLowerCase();
    const media = content[type];
    if (!media) return [...problems, `content type ${JSON.stringify(type)} is not documented for ${answer.status} (documented: ${Object.keys(content).join(', ')})`];
    if (!media.schema) return problems;
    let body: unknown = answer.body;
    if (/[/+]json$/.test(type)) {
      try {
        body = JSON.parse(answer.body);
      } catch {
        return [...problems, `the ${type} body is not JSON: ${answer.body.slice(0, 200)}`];
      }
    }
    return [...problems, ...this.validate(media.schema as Json, body).map((e) => `body${e}`)];
  }
}
