// The signed-in session: a bearer token kept in localStorage, and the organization the
// user last worked in. Components subscribe with useSession().
import { useSyncExternalStore } from 'react';

const TOKEN_KEY = 'roster.token';
const ORG_KEY = 'roster.organization';

type Listener = () => void;
const listeners = new Set<Listener>();

function read(key: string): string | null {
  try {
    return window.localStorage.getItem(key);
  } catch {
    return null;
  }
}

function write(key: string, value: string | null) {
  try {
    if (value === null) window.localStorage.removeItem(key);
    else window.localStorage.setItem(key, value);
  } catch {
    // private mode: the session lasts as long as the page
  }
}

let token = read(TOKEN_KEY);
let organizationId = read(ORG_KEY);

function emit() {
  for (const l of [...listeners]) l();
}

// Another tab signing in or out.
window.addEventListener('storage', (e) => {
  if (e.key === TOKEN_KEY || e.key === ORG_KEY || e.key === null) {
    token = read(TOKEN_KEY);
    organizationId = read(ORG_KEY);
    emit();
  }
});

export function getToken(): string | null {
  return token;
}

export function setToken(next: string | null) {
  if (next === token) return;
  token = next;
  write(TOKEN_KEY, next);
  emit();
}

export function getOrganizationId(): string | null {
  return organizationId;
}

export function setOrganizationId(next: string | null) {
  if (next === organizationId) return;
  organizationId = next;
  write(ORG_KEY, next);
  emit();
}

export function signOutLocally() {
  setOrganizationId(null);
  setToken(null);
}

function subscribe(l: Listener) {
  listeners.add(l);
  return () => listeners.delete(l);
}

export function useToken(): string | null {
  return useSyncExternalStore(subscribe, getToken);
}

export function useOrganizationId(): string | null {
  return useSyncExternalStore(subscribe, getOrganizationId);
}
