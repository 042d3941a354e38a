// Whether Jenkins answers: its login page is served only once Jenkins is fully up (503 while it starts).
import axios from 'axios';

export type JenkinsProbe = (url: string) => Promise<boolean>;

export function httpJenkinsProbe(opts: { timeoutMs?: number } = {}): JenkinsProbe {
  return async (url) => {
    try {
      const res = await axios.get(`${url.replace(/\/+$/, '')}/login`, {
        timeout: opts.timeoutMs ?? 5000, maxRedirects: 0, validateStatus: () => true, responseType: 'text',
      });
      return res.status >= 200 && res.status < 400;
    } catch {
      return false;
    }
  };
}
