/** First run: server address, sign up or log in, and the folder to keep in sync. */
import type { FormEvent } from 'react';
import { useScreenStore, useStores } from '../stores-context.tsx';
import { NoticeLine } from '../ui/bits.tsx';

export function FirstRun() {
  const stores = useStores();
  const { form, set, submit, submitting, error, pickerAvailable, picking, pickFolder } =
    useScreenStore('firstRun');
  const onSubmit = async (e: FormEvent) => {
    e.preventDefault();
    const status = await submit();
    if (status) stores.app.getState().applyEvent({ type: 'status', status });
  };
  const signup = form.mode === 'signup';
  return (
    <main className="first-run" id="main">
      <div className="card first-run-card">
        <h1>Welcome to Cairn</h1>
        <p className="lede">
          Cairn keeps a folder the same on all your computers. Connect this computer to your Cairn server to
          begin.
        </p>
        <form onSubmit={onSubmit} noValidate aria-describedby={error ? 'first-run-error' : undefined}>
          <fieldset className="segmented">
            <legend>Account</legend>
            <label>
              <input
                type="radio"
                name="mode"
                value="signup"
                checked={signup}
                onChange={() => set({ mode: 'signup' })}
              />
              Create an account
            </label>
            <label>
              <input
                type="radio"
                name="mode"
                value="login"
                checked={!signup}
                onChange={() => set({ mode: 'login' })}
              />
              I have an account
            </label>
          </fieldset>
          <div className="field">
            <label htmlFor="server">Server address</label>
            <input
              id="server"
              type="url"
              required
              placeholder="https://cairn.example.org"
              autoComplete="url"
              value={form.server}
              onChange={(e) => set({ server: e.target.value })}
            />
          </div>
          <div className="field">
            <label htmlFor="email">Email</label>
            <input
              id="email"
              type="email"
              required
              autoComplete="email"
              value={form.email}
              onChange={(e) => set({ email: e.target.value })}
            />
          </div>
          <div className="field">
            <label htmlFor="password">Password</label>
            <input
              id="password"
              type="password"
              required
              minLength={8}
              autoComplete={signup ? 'new-password' : 'current-password'}
              aria-describedby="password-hint"
              value={form.password}
              onChange={(e) => set({ password: e.target.value })}
            />
            <small id="password-hint">At least 8 characters.</small>
          </div>
          <div className="field">
            <label htmlFor="device">Name of this computer</label>
            <input
              id="device"
              type="text"
              placeholder="e.g. Work laptop"
              value={form.device_name}
              onChange={(e) => set({ device_name: e.target.value })}
            />
            <small>Shown on your other devices next to what this one changed.</small>
          </div>
          <div className="field">
            <label htmlFor="folder">Cairn folder on this computer</label>
            <div className="with-button">
              <input
                id="folder"
                type="text"
                required
                placeholder="/home/you/Cairn"
                value={form.folder}
                onChange={(e) => set({ folder: e.target.value })}
                aria-describedby="folder-hint"
              />
              {pickerAvailable ? (
                <button type="button" disabled={picking} onClick={() => void pickFolder()}>
                  {picking ? 'Choosing…' : 'Choose…'}
                </button>
              ) : null}
            </div>
            <small id="folder-hint">
              {pickerAvailable ? 'Type the path or choose the folder. ' : 'The full path of the folder. '}
              Files already in it are kept and merged with your account.
            </small>
          </div>
          {error ? (
            <div id="first-run-error">
              <NoticeLine kind="error">{error}</NoticeLine>
            </div>
          ) : null}
          <button type="submit" className="primary" disabled={submitting}>
            {submitting ? 'Connecting…' : signup ? 'Create account and start' : 'Log in and start'}
          </button>
        </form>
      </div>
    </main>
  );
}
