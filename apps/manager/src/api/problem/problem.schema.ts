// The JSON Schema of a problem answer, as ProblemFilter.send writes it: one shared schema in the OpenAPI document,
// against which the contract test checks every error the API gives.
import { PROBLEM_SLUGS, PROBLEM_TYPE_BASE } from './api-problem';

export const FIELD_ERROR_SCHEMA = {
  type: 'object',
  description: 'One invalid field of the request.',
  required: ['pointer', 'detail'],
  properties: {
    pointer: { type: 'string', description: 'JSON pointer (RFC 6901) into the request body, e.g. /spec/repositoryUrl; /query/<name> for a query parameter.' },
    detail: { type: 'string', description: 'What is wrong with it.' },
  },
  additionalProperties: false,
};

export const PROBLEM_SCHEMA = {
  type: 'object',
  description: 'An error answer (RFC 9457), sent as application/problem+json. Branch on type (or on code, finer); docs/api-errors.md says what each type means and what to do.',
  required: ['type', 'title', 'status', 'detail', 'instance'],
  properties: {
    type: { type: 'string', format: 'uri', enum: PROBLEM_SLUGS.map((slug) => `${PROBLEM_TYPE_BASE}${slug}`), description: 'The error class; stable.' },
    title: { type: 'string', description: 'Short summary of the error class.' },
    status: { type: 'integer', minimum: 400, maximum: 599, description: 'The HTTP status of the answer.' },
    detail: { type: 'string', description: 'What went wrong with this request, for a human.' },
    instance: { type: 'string', format: 'uri-reference', description: 'The request path.' },
    code: { type: 'string', pattern: '^[A-Z][A-Za-z0-9]*$', description: 'The domain error code, finer than type and stable too, e.g. PipelineNotFound.' },
    errors: { type: 'array', items: { $ref: '#/components/schemas/FieldError' }, description: 'The invalid fields, for a validation error.' },
  },
  // Extension members (RFC 9457 §3.2) carry a domain's details, e.g. who may approve a step.
  additionalProperties: true,
};
