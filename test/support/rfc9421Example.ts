// RFC 9421 appendix B.2's example request, shared by the tests that check our signature
// code against the RFC's published bases and signatures.
import type { MessageSignableRequest } from '../../src/main/core/federation/signatures/rfc9421';

/** The body of the B.2 example request. */
export const RFC9421_EXAMPLE_BODY = '{"hello": "world"}';

/** The RFC's example request (B.2), carrying the given Signature-Input and Signature. */
export function rfc9421ExampleRequest(input: string, signature: string): MessageSignableRequest {
  return {
    method: 'POST',
    path: '/foo?param=Value&Pet=dog',
    headers: {
      host: 'example.com',
      date: 'Tue, 20 Apr 2021 02:07:55 GMT',
      'content-type': 'application/json',
      'content-digest': 'sha-512=:WZDPaVn/7XgHaAy8pmojAkGWoRx2UFChF41A2svX+TaPm+AbwAgBWnrIiYllu7BNNyealdVLvRwEmTHWXvJwew==:',
      'content-length': '18',
      'signature-input': input,
      signature,
    },
  };
}
