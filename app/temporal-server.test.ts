import { parse } from 'yaml';
import { temporalUiConfig } from './temporal-server';

test('the Web UI configuration sends the browser session with codec calls, and carries any message and link as written', () => {
  const message = 'Sealed: sign in as a "biller" # then reload';
  const signInUrl = 'http://127.0.0.1:3000/sign-in?return=http%3A%2F%2F127.0.0.1%3A8233%2F';
  const yaml = parse(
    temporalUiConfig({
      temporalAddress: '127.0.0.1:7233',
      port: 8233,
      namespace: 'default',
      codec: { endpoint: 'http://127.0.0.1:3000/codec', signInUrl, message },
    }),
  );
  expect(yaml).toMatchObject({
    temporalGrpcAddress: '127.0.0.1:7233',
    host: '127.0.0.1',
    port: 8233,
    enableUi: true,
    defaultNamespace: 'default',
    codec: {
      endpoint: 'http://127.0.0.1:3000/codec',
      includeCredentials: true,
      passAccessToken: false,
      defaultErrorMessage: message,
      defaultErrorLink: signInUrl,
    },
  });
});

test('without a codec the UI gets no codec settings (it shows payloads as stored)', () => {
  expect(parse(temporalUiConfig({ temporalAddress: '127.0.0.1:7233', port: 8233, namespace: 'default' })).codec).toBeUndefined();
});
