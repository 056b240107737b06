import { createContext, useContext } from 'react';

/** The element that scrolls the current view (the main column). */
export const ScrollContext = createContext<HTMLElement | null>(null);
export const useScrollContainer = (): HTMLElement | null => useContext(ScrollContext);
