import { apiKeyAuth, basicAuth } from '../../libs/forwarding/destinations/auth';
import { CachedSecret, type SecretRef } from '../../libs/runtime/secrets';

const request = { url: new URL('http://x/_bulk'), method: 'POST', headers: {}, body: Buffer.alloc(0) };

describe('credentials from Secrets Manager or SSM', () => {
  it('fetches the secret once per container for basic auth', async () => {
    const fetched: SecretRef[] = [];
    const secret = new CachedSecret({ store: 'secretsmanager', id: 'es/creds' }, async (ref) => {
      fetched.push(ref);
      return '{"username":"elastic","password":"p@ss"}';
    });
    const auth = basicAuth(secret);
    expect(await auth.authorize(request)).toEqual({
      authorization: `Basic ${Buffer.from('elastic:p@ss').toString('base64')}`,
    });
    await auth.authorize(request);
    expect(fetched).toHaveLength(1);
  });

  it('tries again on the next invocation when the fetch failed', async () => {
    let calls = 0;
    const secret = new CachedSecret({ store: 'ssm', id: '/es/key' }, async () => {
      calls++;
      if (calls === 1) throw new Error('ThrottlingException');
      return 'c2VjcmV0';
    });
    const auth = apiKeyAuth(secret);
    await expect(auth.authorize(request)).rejects.toThrow('could not read ssm:/es/key');
    expect(await auth.authorize(request)).toEqual({ authorization: 'ApiKey c2VjcmV0' });
  });

  it('names the secret, not its value, when the secret is malformed', async () => {
    const auth = basicAuth(
      new CachedSecret({ store: 'secretsmanager', id: 'es/creds' }, async () => 'hunter2'),
    );
    const error = (await auth.authorize(request).catch((e: unknown) => e)) as Error;
    expect(error.message).toContain('secretsmanager:es/creds');
    expect(error.message).not.toContain('hunter2');
  });
});
