/** React access to the stores: a context holding {@link Stores} and one hook per store. */
import { createContext, useContext, type ReactNode } from 'react';
import { useStore } from 'zustand';
import type { Stores } from './store/index.ts';
import type { AppState } from './store/app.ts';

const StoresContext = createContext<Stores | null>(null);

/** Provides the stores to the component tree. */
export function StoresProvider({ stores, children }: { stores: Stores; children: ReactNode }) {
  return <StoresContext.Provider value={stores}>{children}</StoresContext.Provider>;
}

/** The stores of this window. */
export function useStores(): Stores {
  const s = useContext(StoresContext);
  if (!s) throw new Error('useStores outside StoresProvider');
  return s;
}

/** Selects from the app store. */
export function useApp<T>(select: (s: AppState) => T): T {
  return useStore(useStores().app, select);
}

/** The whole state of one named store (screens re-render on any change of their own store). */
export function useScreenStore<K extends Exclude<keyof Stores, 'app' | 'dispose'>>(
  key: K,
): ReturnType<Stores[K]['getState']> {
  return useStore(useStores()[key] as never) as ReturnType<Stores[K]['getState']>;
}
