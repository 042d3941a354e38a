// The system store's global domain of the credentials plugin (CredentialsStoreAction.DomainWrapper).
import { HttpError } from '../http/exchange';
import {
  credentialFromForm, credentialFromXml, CredentialParseError, credentialJson, credentialXml, type StoredCredential,
} from '../model/credential-store';
import { sendApi } from './api-json';
import type { JenkinsRouter, RequestContext } from './request-context';

const DOMAIN = '/credentials/store/system/domain/_';

function isXml(contentType: string | undefined): boolean {
  return contentType !== undefined && (contentType.startsWith('application/xml') || contentType.startsWith('text/xml'));
}

function parse(c: RequestContext): StoredCredential {
  try {
    return credentialFromXml(c.x.body.toString('utf8'));
  } catch (err) {
    if (err instanceof CredentialParseError) throw new HttpError(500, `java.io.IOException: ${err.message}`);
    throw err;
  }
}

function credentialOf(c: RequestContext, id: string): StoredCredential {
  const found = c.instance.credentials.get(id);
  if (!found) throw new HttpError(404, 'Not Found');
  return found;
}

export function credentialRoutes(router: JenkinsRouter): void {
  router.add('POST', `${DOMAIN}/createCredentials`, (c) => {
    if (c.x.contentType === undefined) throw new HttpError(400, 'No Content-Type header set');
    if (isXml(c.x.contentType)) {
      // 200 when added, 409 when the id exists.
      c.x.empty(c.instance.credentials.add(parse(c)) ? 200 : 409);
      return;
    }
    const form = c.x.submittedForm();
    if (!form) throw new HttpError(400, 'This page expects a form submission');
    const credential = credentialFromForm(form);
    const added = c.instance.credentials.add(credential);
    if ((c.x.header('accept') ?? '').includes('application/json')) {
      c.x.json(added
        ? { message: 'Credentials created', notificationType: 'SUCCESS' }
        : { message: `Credentials with id ${credential.id} already exist`, notificationType: 'ERROR' });
      return;
    }
    c.x.redirect(302, `${c.x.contextPath}${DOMAIN}/`);
  });

  // Where the form submission redirects to.
  router.add('GET', DOMAIN, (c) => c.x.html('<!DOCTYPE html><html><head><title>Global credentials (unrestricted) [Jenkins]</title></head><body></body></html>'));

  router.add('GET', `${DOMAIN}/api/json`, (c) => {
    const list = c.instance.credentials.list();
    const wrapper = (full: boolean) => ({
      _class: 'com.cloudbees.plugins.credentials.CredentialsStoreAction$DomainWrapper',
      // CredentialsWrapper properties have visibility 1: only `tree=` (or depth) shows them.
      credentials: list.map((cr) => (full ? credentialJson(cr) : {})),
      description: 'Credentials that should be available irrespective of domain specification to requirements matching.',
      displayName: 'Global credentials (unrestricted)',
      fullDisplayName: 'System » Global credentials (unrestricted)',
      fullName: 'system/_',
      global: true,
      urlName: '_',
    });
    sendApi(c, () => wrapper(false), () => wrapper(true));
  });

  router.add('GET', `${DOMAIN}/credential/{id}/api/json`, (c, p) => {
    const credential = credentialOf(c, p.id);
    sendApi(c, () => credentialJson(credential));
  });

  router.add(['GET', 'POST', 'DELETE'], `${DOMAIN}/credential/{id}/config.xml`, (c, p) => {
    const current = credentialOf(c, p.id);
    if (c.x.method === 'GET') {
      c.x.xml(credentialXml(current));
    } else if (c.x.method === 'POST') {
      c.instance.credentials.replace(current.id, parse(c));
      c.x.empty(200);
    } else {
      c.instance.credentials.remove(current.id);
      c.x.empty(200);
    }
  });

  router.add('POST', `${DOMAIN}/credential/{id}/doDelete`, (c, p) => {
    c.instance.credentials.remove(credentialOf(c, p.id).id);
    c.x.redirect(302, `${c.x.contextPath}${DOMAIN}/`);
  });
}
