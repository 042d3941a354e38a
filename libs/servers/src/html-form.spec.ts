import { decodeEntities, parseForms } from './html-form';

describe('parseForms', () => {
  it('reads action, method, hidden and text inputs, checked boxes only, and the submit buttons', () => {
    const [form] = parseForms(`
      <form class="ui form" action="/login/oauth/grant?a=1&amp;b=2" method="POST">
        <input type="hidden" name="_csrf" value="tok&#43;en">
        <input id="user_name" type="text" name="user_name" value="" autofocus required>
        <input name="remember" type="checkbox">
        <input name="agree" type="checkbox" value="yes" checked>
        <input name="off" value="x" disabled>
        <input type="hidden" name="redirect_uri" value='http://127.0.0.1:9/cb?x=&quot;1&quot;'>
        <button type="submit" name="granted" value="true" class="ui red button">Authorize</button>
        <button type="submit" name="granted" value="false">Cancel</button>
      </form>`);
    expect(form).toEqual({
      action: '/login/oauth/grant?a=1&b=2',
      method: 'post',
      fields: { _csrf: 'tok+en', user_name: '', agree: 'yes', redirect_uri: 'http://127.0.0.1:9/cb?x="1"' },
      buttons: [{ name: 'granted', value: 'true' }, { name: 'granted', value: 'false' }],
    });
  });

  it('keeps a ">" inside a quoted attribute and finds every form of the page', () => {
    const forms = parseForms('<form action="/a"><input name="q" value="a>b"></form><p>x</p><form method=post><input name=n value=v></form>');
    expect(forms.map((f) => [f.action, f.method, f.fields])).toEqual([['/a', 'get', { q: 'a>b' }], ['', 'post', { n: 'v' }]]);
  });
});

describe('decodeEntities', () => {
  it('decodes named, decimal and hex references and leaves unknown ones', () => {
    expect(decodeEntities('&lt;a&gt; &amp; &#39;&#x2F;&nbsp;')).toBe("<a> & '/&nbsp;");
  });
});
