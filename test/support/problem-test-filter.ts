// For tests that mount a controller on its own: renders ApiProblem as problem+json the way the manager's global
// filter does, so a test can check the status, type and headers of a refusal.
import { ArgumentsHost, Catch, ExceptionFilter } from '@nestjs/common';
import type { Response } from 'express';
import { ApiProblem } from '../../apps/manager/src/api/problem/api-problem';

@Catch(ApiProblem)
export class ApiProblemTestFilter implements ExceptionFilter {
  catch(problem: ApiProblem, host: ArgumentsHost): void {
    const res = host.switchToHttp().getResponse<Response>();
    for (const [name, value] of Object.entries(problem.headers)) res.setHeader(name, value);
    res.status(problem.status).type('application/problem+json')
      .send(JSON.stringify({ type: problem.type, title: problem.title, status: problem.status, detail: problem.detail, ...problem.extensions }));
  }
}
