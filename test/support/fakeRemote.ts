// Kept for scripts/screenshots.ts and the e2e tests, which import the fake remote from here.
export * from './remote/fakeRemote';
