// What every JSON view needs: absolute URLs (`url` fields) from the root URL, hrefs (stage view `_links`)
// from the context path, and the double's clock.
export interface ViewContext {
  /** `http://host/<instance>/` */
  rootUrl: string;
  /** `/<instance>` */
  contextPath: string;
  now: number;
}

export function jobPath(job: string): string {
  return `job/${encodeURIComponent(job)}/`;
}

export function runPath(job: string, number: number): string {
  return `${jobPath(job)}${number}/`;
}
