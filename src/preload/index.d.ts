import type { OutpostBridge } from './bridge';

declare global {
  interface Window {
    /** Present in Electron; absent in a browser (which talks HTTP to the admin port). */
    outpost?: OutpostBridge;
  }
}
export {};
