import { describe, expect, it } from 'vitest';
import { explainError } from '../../src/shared/errorText';
import { AdminError } from '../../src/shared/adminApi';

describe('errors in the user’s language', () => {
  it.each([
    ['lookup: acct:nobody@b.example does not exist on b.example', 'No such account'],
    ['follow: could not reach @a@nope.example: nope.example: getaddrinfo ENOTFOUND nope.example', 'Server not found — check the spelling'],
    ['127.0.0.1:9: connect ECONNREFUSED 127.0.0.1:9', 'Connection refused — the server is down'],
    ['b.example timed out', 'The server took too long to answer'],
    ['ERR_TLS_CERT_ALTNAME_INVALID: Hostname/IP does not match certificate', 'Secure connection failed — the server’s certificate is not valid'],
    ['GET https://b.example/users/x answered 410', 'Gone — the account or server no longer exists'],
    ['HTTP 410', 'Gone — the account or server no longer exists'],
    ['GET https://b.example/users/x answered 401', 'The server refused our request'],
    ['HTTP 403', 'The server refused our request'],
    ['HTTP 503', 'The server had an error — Outpost tries again later'],
    ['HTTP 429', 'The server asks us to slow down — Outpost tries again later'],
    ['b.example sent more than 1048576 bytes', 'The server sent too much data'],
    ['10.0.0.1 is a private address', 'That server is on a private network: refused for safety'],
    ['follow: "bob" is not a handle like @user@example.social', 'Enter a handle like @someone@example.social, or a profile URL'],
  ])('%s → %s, with the raw error kept', (raw, message) => {
    expect(explainError(raw)).toEqual({ message, detail: raw });
    expect(explainError(new AdminError('remote_error', raw)).message).toBe(message);
  });

  it('passes other messages through, without the method name, capitalised', () => {
    expect(explainError(new AdminError('conflict', 'follow: you cannot follow yourself'))).toEqual({
      message: 'You cannot follow yourself', detail: 'follow: you cannot follow yourself',
    });
    expect(explainError('The instance is not reachable. Is it still running?')).toEqual({
      message: 'The instance is not reachable. Is it still running?', detail: null,
    });
    expect(explainError('')).toEqual({ message: 'Something went wrong', detail: null });
  });
});
