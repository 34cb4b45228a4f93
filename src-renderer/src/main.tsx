/** Entry point: pick the bridge for this page, create the stores and render the app. */
import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import { pickBridge, type PageEnv } from './bridge/pick.ts';
import { screenFromHash } from './bridge/route.ts';
import { createStores } from './store/index.ts';
import { StoresProvider } from './stores-context.tsx';
import { App, Message } from './App.tsx';
import './styles.css';

const root = createRoot(document.getElementById('root')!);
// `window` has everything PageEnv reads; `cairn` exists only under the Electron preload.
const picked = pickBridge(window as unknown as PageEnv);
if ('error' in picked) {
  root.render(
    <Message title="Open Cairn from the app">
      <p>
        This page needs the secret link that Cairn prints. Run <code>cairn open</code> on this computer.
      </p>
    </Message>,
  );
} else {
  const stores = createStores(picked.bridge);
  const follow = () => {
    const screen = screenFromHash(window.location.hash);
    if (screen) stores.app.getState().go(screen);
  };
  follow();
  window.addEventListener('hashchange', follow);
  root.render(
    <StrictMode>
      <StoresProvider stores={stores}>
        <App />
      </StoresProvider>
    </StrictMode>,
  );
}
