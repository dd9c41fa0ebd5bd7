// Client-side routes over the History API; the server answers each of these paths with index.html.
import { createContext } from 'preact';
import { useContext, useEffect, useState } from 'preact/hooks';
import type { AnchorHTMLAttributes, ComponentChildren, TargetedMouseEvent } from 'preact';

/** A route pattern: literal segments and `:name` parameters, e.g. `/certificate/:filingId`. */
export function matchRoute(pattern: string, path: string): Record<string, string> | null {
  const want = pattern.split('/').filter(Boolean);
  const have = path.split('/').filter(Boolean);
  if (want.length !== have.length) return null;
  const params: Record<string, string> = {};
  for (let i = 0; i < want.length; i++) {
    if (want[i].startsWith(':')) {
      try {
        params[want[i].slice(1)] = decodeURIComponent(have[i]);
      } catch {
        return null;
      }
    } else if (want[i] !== have[i]) return null;
  }
  return params;
}

const PathContext = createContext<string>('/');
export const usePath = () => useContext(PathContext);

export function navigate(to: string) {
  if (to === location.pathname + location.search) return;
  history.pushState(null, '', to);
  dispatchEvent(new PopStateEvent('popstate'));
}

export function PathProvider({ children }: { children: ComponentChildren }) {
  const [path, setPath] = useState(location.pathname);
  useEffect(() => {
    const onPop = () => setPath(location.pathname);
    addEventListener('popstate', onPop);
    return () => removeEventListener('popstate', onPop);
  }, []);
  return <PathContext.Provider value={path}>{children}</PathContext.Provider>;
}

/** An ordinary link (keyboard, middle-click and "open in new tab" keep working) that navigates in the page on a plain click. */
export function Link(props: AnchorHTMLAttributes<HTMLAnchorElement> & { href: string }) {
  const path = usePath();
  const onClick = (e: TargetedMouseEvent<HTMLAnchorElement>) => {
    if (e.defaultPrevented || e.button !== 0 || e.metaKey || e.ctrlKey || e.shiftKey || e.altKey) return;
    e.preventDefault();
    navigate(props.href);
  };
  return <a {...props} onClick={onClick} aria-current={path === props.href ? 'page' : undefined} />;
}
